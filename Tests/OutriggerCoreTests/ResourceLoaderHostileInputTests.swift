import OutriggerCore
import OutriggerTesting
import Testing

/// Resource files an operator (or a broken generator) might write: seeded variations of the
/// seeds `make fuzz` starts from (fuzz/corpus/FuzzResourceYAML), and aliases that expand.
@Suite("Resource YAML on hostile input", .timeLimit(.minutes(1)))
struct ResourceLoaderHostileInputTests {
    @Test("every variation of a real resource file loads or throws a ConfigurationError naming the file")
    func loadsOrRejects() {
        var mutator = InputMutator(seed: 0x7A41_0001, seeds: InputMutator.corpus("FuzzResourceYAML"))
        for _ in 0..<300 {
            let input = mutator.next()
            var set = ResourceSet()
            do {
                try ResourceLoader.load(text: String(decoding: input, as: UTF8.self), file: "fuzz.yaml", into: &set)
            } catch let error as ConfigurationError {
                #expect(error.file == "fuzz.yaml")
            } catch {
                Issue.record("not a ConfigurationError: \(error)")
            }
        }
    }

    @Test("an alias that expands to hundreds of millions of nodes is refused at once, naming document and line")
    func aliasExpansion() throws {
        var levels = [#"a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]"#]
        for level in 1...8 {
            levels.append("a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ",") + "]")
        }
        // As a mapping key it made Yams hash every node of the expansion.
        let text = "kind: Component\n---\n" + levels.joined(separator: "\n") + "\n? *a8\n: 1\n"
        var set = ResourceSet()
        do {
            try ResourceLoader.load(text: text, file: "laughs.yaml", into: &set)
            Issue.record("expected the expansion to be refused")
        } catch let error as ConfigurationError {
            #expect(error.document == 2)
            #expect(error.line == 8)
            #expect(error.description.contains("aliases expand to more than"), "\(error)")
        }
    }

    @Test("anchors shared a few times, as people write them, still load")
    func modestAliases() throws {
        var set = ResourceSet()
        try ResourceLoader.load(text: """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: {name: first}
            spec:
              type: pubsub.in-memory
              metadata: &shared
                - {name: maxLen, value: "10"}
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata: {name: second, labels: &labels {team: orders}}
            spec: {type: pubsub.in-memory, metadata: [{name: a, value: "1"}], extra: *labels}
            """, file: "ok.yaml", into: &set)
        #expect(set.components.map(\.name) == ["first", "second"])
    }
}
