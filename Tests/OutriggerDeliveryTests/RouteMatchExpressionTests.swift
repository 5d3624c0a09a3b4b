import CloudEvents
import OutriggerDelivery
import Testing

// MARK: - Fixtures

/// A CloudEvent as the router hands it to a rule: attributes, an extension, and parsed data.
private let widgetEvent: JSONObject = [
    "specversion": .string("1.0"),
    "type": .string("widget"),
    "source": .string("orders-eu"),
    "id": .string("A-42"),
    "subject": .string("invoice/2024/07"),
    "datacontenttype": .string("application/json"),
    "time": .string("2024-07-01T12:00:00Z"),
    "priority": .string("high"),
    "data": .object([
        "price": .number("150.50"),
        "quantity": .number("3"),
        "currency": .string("USD"),
        "name": .string("Grüße"),
        "vip": .bool(true),
        "note": .null,
        "pattern": .string("^orders-"),
        "multiline": .string("a\tb\nc\\d"),
        "badPattern": .string("a("),
        "tags": .array([.string("red"), .string("blue")]),
        "items": .array([
            .object(["sku": .string("w-1"), "qty": .number("2")]),
            .object(["sku": .string("w-2"), "qty": .number("1")]),
        ]),
        "customer": .object([
            "name": .string("Ann"),
            "address": .object(["city": .string("Oslo")]),
        ]),
    ]),
]

private func outcome(_ source: String, _ event: JSONObject = widgetEvent) throws -> Result<Bool, RouteMatchEvaluationError> {
    try RouteMatchExpression(source).evaluate(event)
}

private func syntaxError(_ source: String) -> RouteMatchSyntaxError? {
    do throws(RouteMatchSyntaxError) {
        _ = try RouteMatchExpression(source)
        return nil
    } catch {
        return error
    }
}

/// Expressions that must evaluate to exactly `true` or `false` (not an error).
private func expectValue(_ source: String, _ expected: Bool, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let result = try outcome(source)
    #expect(result == .success(expected), "\(source)", sourceLocation: sourceLocation)
}

// MARK: - Values and operators

@Test(arguments: [
    ("true", true), ("false", false), ("!false", true), ("null == null", true),
    ("'single' == \"single\"", true), ("\"it's\" == 'it\\'s'", true), ("\"say \\\"hi\\\"\" == 'say \"hi\"'", true),
    ("\"a\\tb\" == \"a\\u0009b\"", true), ("\"\\u00e9\" == \"é\"", true), ("\"\\\\\" + \"n\" != \"\\n\"", true),
    ("event.data.multiline == \"a\\tb\\nc\\\\d\"", true), ("event.data.multiline == 'a\\u0009b\\u000Ac\\x5Cd'", true),
    ("event.data.multiline == r\"a\\tb\\nc\\\\d\"", false),
    ("\"\\x41\\U0001F600\" == \"A😀\"", true), ("r\"\\d+\" == \"\\\\d+\"", true), ("R'\\n'.size() == 2", true),
    ("1.5e2 == 150", true), ("2E-1 == 0.2", true), ("0x1F == 31", true), ("7u == 7", true),
    ("[1, 2, \"a\"] == [1, 2, \"a\"]", true), ("[1, 2,] == [1, 2]", true), ("[] == []", true), ("[1, 2] == [2, 1]", false),
])
func literals(source: String, expected: Bool) throws {
    try expectValue(source, expected)
}

@Test(arguments: [
    ("event.type == \"widget\"", true), ("event[\"type\"] == 'widget'", true), ("event.priority == \"high\"", true),
    ("event.data.customer.address.city == \"Oslo\"", true), ("event.data[\"currency\"] == \"USD\"", true),
    ("event.data.items[1].sku == \"w-2\"", true), ("event.data.items[1.0][\"qty\"] == 1", true),
    ("event.data.tags[0] == \"red\"", true), ("event.data.note == null", true), ("event.data.vip", true),
])
func fieldAccessAndIndexing(source: String, expected: Bool) throws {
    try expectValue(source, expected)
}

@Test(arguments: [
    ("event.data.price == 150.5", true), ("event.data.price > 150", true), ("event.data.price >= 150.5", true),
    ("event.data.price < 150.5", false), ("event.data.price <= 150.5", true), ("event.data.price != 150.5", false),
    ("\"abc\" < \"abd\"", true), ("\"a\" < \"ab\"", true), ("\"B\" < \"a\"", true), ("\"b\" >= \"b\"", true),
    ("\"b\" > \"ab\"", true), ("true != false", true),
    // Different types are unequal rather than an error.
    ("1 == \"1\"", false), ("1 != \"1\"", true), ("null == false", false), ("event.data.note != 0", true),
    ("[1, 2] == [1, 2.0]", true), ("[1] == [1, 2]", false),
    ("event.data.customer.address == event.data.customer.address", true), ("event.data.customer == event.data", false),
    // Strings compare by code points, so canonical equivalents still differ.
    ("\"\\u00e9\" == \"e\\u0301\"", false),
])
func comparisons(source: String, expected: Bool) throws {
    try expectValue(source, expected)
}

@Test(arguments: [
    ("\"USD\" in [\"USD\", \"EUR\"]", true), ("\"GBP\" in [\"USD\", \"EUR\"]", false), ("3 in [1, 2, 3.0]", true),
    ("-1 in [-1, 2]", true), ("[1] in [[1], [2]]", true), ("\"red\" in event.data.tags", true),
    ("\"currency\" in event.data", true), ("\"discount\" in event.data", false), ("1 in event.data", false),
])
func membership(source: String, expected: Bool) throws {
    try expectValue(source, expected)
}

@Test(arguments: [
    ("1 + 2 * 3 == 7", true), ("(1 + 2) * 3 == 9", true), ("10 - 4 - 3 == 3", true), ("2 - -1 == 3", true),
    ("7 % 3 == 1", true), ("-7 % 3 == -1", true), ("7 / 2 == 3.5", true), ("12 / 2 / 3 == 2", true),
    ("-event.data.quantity == -3", true), ("--3 == 3", true), ("-(1 + 2) == -3", true),
    ("\"ab\" + \"cd\" == \"abcd\"", true), ("[1] + [2] == [1, 2]", true),
    ("event.data.price * event.data.quantity == 451.5", true), ("event.data.price + 0.5 == 151", true),
])
func arithmetic(source: String, expected: Bool) throws {
    try expectValue(source, expected)
}

@Test(arguments: [
    // && binds tighter than ||.
    ("true || false && false", true), ("(true || false) && false", false), ("false && false || true", true),
    // ! binds tighter than ==, and relations are left-associative.
    ("!true == false", true), ("1 < 2 == true", true),
    // Arithmetic binds tighter than relations, relations tighter than &&.
    ("1 + 1 == 2 && 2 * 2 == 4", true), ("3 - 1 in [2]", true),
    ("event.data.vip ? event.data.price > 100 : false", true), ("false ? event.missing : 1 < 2", true),
    ("true ? false : true ? true : true", false),
])
func precedence(source: String, expected: Bool) throws {
    try expectValue(source, expected)
}

// MARK: - Error absorption

@Test func logicalOperatorsAbsorbErrorsCommutatively() throws {
    try expectValue("false && event.missing", false)
    try expectValue("event.missing && false", false)
    try expectValue("true || event.missing", true)
    try expectValue("event.missing || true", true)
    try expectValue("event.missing > 1 || event.type == \"widget\" || event.other", true)
    try expectValue("\"not a bool\" && false", false)
    #expect(try outcome("true && event.missing") == .failure(.init(message: "no such key 'missing' at column 15")))
    #expect(try outcome("event.missing || false") == .failure(.init(message: "no such key 'missing' at column 7")))
    // With no decisive operand the first failure wins.
    #expect(try outcome("event.a == 1 && event.b == 2") == .failure(.init(message: "no such key 'a' at column 7")))
    #expect(try outcome("\"x\" && true") == .failure(.init(message: "'&&' needs bools, got string at column 1")))
    #expect(try outcome("1 || false") == .failure(.init(message: "'||' needs bools, got number at column 1")))
}

@Test(arguments: [
    ("has(event.data.price)", true), ("has(event.data.discount)", false), ("has(event.subject)", true),
    ("has(event.data.customer.address.city)", true), ("has(event.data.customer.address.zip)", false),
    // A missing or non-map prefix is "not there", not an error.
    ("has(event.data.missing.city)", false), ("has(event.data.price.value)", false),
    // Present-but-null is present.
    ("has(event.data.note)", true),
    ("!has(event.data.discount) || event.data.discount > 0", true),
    ("has(event.data.discount) && event.data.discount > 0", false),
])
func hasMacro(source: String, expected: Bool) throws {
    try expectValue(source, expected)
}

// MARK: - Functions

@Test(arguments: [
    ("size(\"héllo\") == 5", true), ("\"héllo\".size() == 5", true), ("size(event.data.name) == 5", true),
    ("size(event.data.items) == 2", true), ("event.data.customer.size() == 2", true), ("size([]) == 0", true),
    ("size(event.data.tags + [\"green\"]) == 3", true), ("size(\"😀\") == 1", true), ("size(\"e\\u0301\") == 2", true),
    ("event.source.startsWith(\"orders-\")", true), ("event.source.startsWith(\"eu\")", false),
    ("event.source.endsWith(\"-eu\")", true), ("event.source.endsWith(\"orders\")", false),
    ("event.subject.contains(\"2024\")", true), ("event.subject.contains(\"2025\")", false),
    ("\"abc\".contains(\"\")", true), ("event.data.name.startsWith(\"Grü\")", true),
    // matches() searches anywhere unless the pattern anchors itself, as RE2 does.
    ("event.subject.matches(\"[0-9]{4}\")", true), ("event.subject.matches(\"^[0-9]{4}\")", false),
    ("event.id.matches(r\"^[A-Z]-\\d+$\")", true), ("event.id.matches('^[A-Z]-\\\\d+$')", true),
    ("event.type.matches(\"(?i)^WIDGET$\")", true), ("event.source.matches(event.data.pattern)", true),
    ("event.type.matches(event.data.pattern)", false),
])
func functions(source: String, expected: Bool) throws {
    try expectValue(source, expected)
}

// MARK: - Evaluation errors

@Test(arguments: [
    ("event.data.discount > 10", "no such key 'discount' at column 12"),
    ("event.data[\"discount\"] > 10", "no such key 'discount' at column 11"),
    ("event.type > 1", "cannot compare string with number using '>' at column 12"),
    ("event.data.vip < true", "cannot compare bool with bool using '<' at column 16"),
    ("event.data.price + \"x\" > 1", "no operator '+' for number and string at column 18"),
    ("event.type - \"x\" == \"\"", "no operator '-' for string and string at column 12"),
    ("1 / 0 == 1", "division by zero at column 3"),
    ("1 % 0 == 1", "modulus by zero at column 3"),
    ("event.data.items[5].sku == \"x\"", "index 5 is out of range for a list of 2 at column 17"),
    ("event.data.items[-1].sku == \"x\"", "index -1 is out of range for a list of 2 at column 17"),
    ("event.data.items[0.5].sku == \"x\"", "list index 0.5 is not a whole number at column 17"),
    ("event.data.items[\"0\"].sku == \"x\"", "list index must be a number, got string at column 17"),
    ("event.data[1] == 1", "map key must be a string, got number at column 11"),
    ("event.type[0] == \"w\"", "cannot index a string at column 11"),
    ("event.type.x == 1", "cannot read field 'x' of a string at column 12"),
    ("event.type.startsWith(1)", "startsWith() needs strings, got number at column 12"),
    ("event.data.price.endsWith(\"0\")", "endsWith() needs strings, got number at column 18"),
    ("event.data.price.matches(\"0\")", "matches() needs strings, got number at column 18"),
    ("size(1) == 1", "size() needs a string, list or map, got number at column 1"),
    ("!event.type", "'!' needs a bool, got string at column 1"),
    ("-event.type == 1", "'-' needs a number, got string at column 1"),
    ("\"a\" in \"abc\"", "'in' needs a list or map on the right, got string at column 5"),
    ("event.type ? true : false", "'?' needs a bool condition, got string at column 12"),
    ("event.type", "expression produced a string, not a bool"),
    ("event.data.vip ? 1 : 2", "expression produced a number, not a bool"),
])
func evaluationErrors(source: String, message: String) throws {
    let expression = try RouteMatchExpression(source)
    #expect(expression.evaluate(widgetEvent) == .failure(RouteMatchEvaluationError(message: message)))
    #expect(expression.matches(widgetEvent) == false)
}

@Test func dynamicPatternThatDoesNotCompileIsAnEvaluationError() throws {
    let result = try outcome("event.type.matches(event.data.badPattern)")
    guard case .failure(let error) = result else {
        Issue.record("expected a failure, got \(result)")
        return
    }
    #expect(error.message.hasPrefix("invalid regular expression 'a(': "))
    #expect(error.message.hasSuffix(" at column 12"))
}

@Test func missingFieldsAndUnexpectedDataNeverMatch() throws {
    let rule = try RouteMatchExpression("event.data.price > 100")
    #expect(rule.matches(widgetEvent))
    var textData = widgetEvent
    textData["data"] = .string("plain text")
    #expect(!rule.matches(textData))
    var noData = widgetEvent
    noData["data"] = nil
    #expect(!rule.matches(noData))
    #expect(rule.evaluate(noData) == .failure(.init(message: "no such key 'data' at column 7")))
    #expect(!rule.matches(JSONObject()))
}

// MARK: - Syntax errors

/// One malformed expression and exactly how it must be reported.
struct SyntaxErrorCase: Sendable, CustomTestStringConvertible {
    let source: String
    let position: Int
    let message: String
    var testDescription: String { source }

    init(_ source: String, _ position: Int, _ message: String) {
        self.source = source
        self.position = position
        self.message = message
    }
}

@Test(arguments: [
    SyntaxErrorCase("event.type == \"widget", 15, "unterminated string starting at column 15"),
    SyntaxErrorCase("event.type == 'wid\nget'", 15, "unterminated string starting at column 15"),
    SyntaxErrorCase("event.type == \"a\\", 15, "unterminated string starting at column 15"),
    SyntaxErrorCase("event.type == 'a\\q'", 17,
                    "invalid escape '\\q' at column 17; write '\\\\' for a backslash, or use a raw string such as r\"\\d+\""),
    SyntaxErrorCase("event.type == \"\\uD800\"", 16, "invalid escape '\\uD800' at column 16"),
    SyntaxErrorCase("event.type == \"\\u12\"", 16, "invalid escape '\\u12\"' at column 16"),
    SyntaxErrorCase("event.data.price > 1e", 20, "invalid number '1e' at column 20"),
    SyntaxErrorCase("event.data.price > 12abc", 20, "invalid number '12abc' at column 20"),
    SyntaxErrorCase("event.data.price > 0x", 20, "invalid number '0x' at column 20"),
    SyntaxErrorCase("event # 1", 7, "unexpected character '#' at column 7"),
    SyntaxErrorCase("{\"a\": 1}", 1, "unexpected character '{' at column 1"),
    SyntaxErrorCase("event.type = \"a\"", 12, "unexpected '=' at column 12; did you mean '=='?"),
    SyntaxErrorCase("event.type === \"a\"", 14, "unexpected '=' at column 14; did you mean '=='?"),
    SyntaxErrorCase("true & false", 6, "unexpected '&' at column 6; did you mean '&&'?"),
    SyntaxErrorCase("true | false", 6, "unexpected '|' at column 6; did you mean '||'?"),
    SyntaxErrorCase("", 1, "unexpected end of expression at column 1; expected a value"),
    SyntaxErrorCase("event.type == ", 15, "unexpected end of expression at column 15; expected a value"),
    SyntaxErrorCase("event.type == )", 15, "unexpected ')' at column 15; expected a value"),
    SyntaxErrorCase("in [1]", 1, "unexpected 'in' at column 1; expected a value"),
    SyntaxErrorCase("event.", 7, "expected a field name at column 7; found end of expression"),
    SyntaxErrorCase("event.1", 7, "expected a field name at column 7; found '1'"),
    SyntaxErrorCase("type == \"widget\"", 1,
                    "unknown identifier 'type' at column 1; expressions read fields of 'event'"),
    SyntaxErrorCase("event.type == widget", 15,
                    "unknown identifier 'widget' at column 15; expressions read fields of 'event'"),
    SyntaxErrorCase("has", 1, "unknown identifier 'has' at column 1; expressions read fields of 'event'"),
    SyntaxErrorCase("lower(event.type) == \"a\"", 1, "unknown function 'lower' at column 1"),
    SyntaxErrorCase("event.type.lower() == \"a\"", 12, "unknown function 'lower' at column 12"),
    SyntaxErrorCase("startsWith(event.type, \"a\")", 1,
                    "unknown function 'startsWith' at column 1; call it as a method, e.g. event.type.startsWith(\"…\")"),
    SyntaxErrorCase("event.type.startsWith()", 12,
                    "wrong number of arguments to 'startsWith' at column 12; it takes 1 argument, got 0"),
    SyntaxErrorCase("event.type.contains(\"a\", \"b\")", 12,
                    "wrong number of arguments to 'contains' at column 12; it takes 1 argument, got 2"),
    SyntaxErrorCase("size(event.type, 1) > 0", 1,
                    "wrong number of arguments to 'size' at column 1; it takes 1 argument, got 2"),
    SyntaxErrorCase("event.type.size(1) > 0", 12,
                    "wrong number of arguments to 'size' at column 12; it takes 0 arguments, got 1"),
    SyntaxErrorCase("has(event.data.a, event.data.b)", 1,
                    "wrong number of arguments to 'has' at column 1; it takes 1 argument, got 2"),
    SyntaxErrorCase("has(event.data[\"x\"])", 15,
                    "invalid argument to has() at column 15; it takes a field selection such as has(event.data.price)"),
    SyntaxErrorCase("has(event)", 5,
                    "invalid argument to has() at column 5; it takes a field selection such as has(event.data.price)"),
    SyntaxErrorCase("(event.type == \"a\"", 19,
                    "expected ')' at column 19; found end of expression; the bracket at column 1 is still open"),
    SyntaxErrorCase("((event.type == \"a\") || true", 29,
                    "expected ')' at column 29; found end of expression; the bracket at column 1 is still open"),
    SyntaxErrorCase("event.type.startsWith(\"a\"", 26,
                    "expected ')' at column 26; found end of expression; the bracket at column 22 is still open"),
    SyntaxErrorCase("event.data.items[0 == 1", 24,
                    "expected ']' at column 24; found end of expression; the bracket at column 17 is still open"),
    SyntaxErrorCase("[1, 2 3]", 7, "expected ']' at column 7; found '3'; the bracket at column 1 is still open"),
    SyntaxErrorCase("event.data.vip ? 1", 19, "expected ':' at column 19; found end of expression"),
    SyntaxErrorCase("event.type == \"a\")", 18,
                    "unexpected ')' at column 18; expected an operator or the end of the expression"),
    SyntaxErrorCase("event.type == \"a\" event.id", 19,
                    "unexpected 'event' at column 19; expected an operator or the end of the expression"),
    SyntaxErrorCase("event.type == \"a\" ]", 19,
                    "unexpected ']' at column 19; expected an operator or the end of the expression"),
    // Columns count Unicode scalars, so text before the error may be non-ASCII.
    SyntaxErrorCase("\"Grüße\" == x", 12,
                    "unknown identifier 'x' at column 12; expressions read fields of 'event'"),
])
func syntaxErrors(_ testCase: SyntaxErrorCase) throws {
    let error = try #require(syntaxError(testCase.source))
    #expect(error.message == testCase.message)
    #expect(error.position == testCase.position)
    #expect(error.expression == testCase.source)
}

@Test func invalidLiteralPatternIsASyntaxErrorAtThePattern() throws {
    for (source, column) in [
        ("event.type.matches(\"a(\")", 20),
        ("event.type.matches('[z-a]')", 20),
        ("event.type == 'x' || event.id.matches(r\"a**\")", 39),
        // Valid RE2 that Swift Regex does not support is also refused up front.
        ("event.type.matches(\"(?<=a)b\")", 20),
    ] {
        let error = try #require(syntaxError(source), "\(source)")
        #expect(error.position == column, "\(source)")
        #expect(error.message.hasPrefix("invalid regular expression at column \(column); RE2 syntax: "),
                "\(error.message)")
    }
}

@Test func descriptionPointsACaretAtTheColumn() throws {
    let error = try #require(syntaxError("(event.type == \"a\"\n"))
    #expect(error.description == """
        expected ')' at column 20; found end of expression; the bracket at column 1 is still open
          (event.type == "a"\u{20}
                             ^
        """)
}

@Test func descriptionOfALongExpressionShowsOnlyTheNeighbourhood() throws {
    let source = String(repeating: "event.type == 'a' || ", count: 20) + "event.type == b || event.type == 'c'"
    let error = try #require(syntaxError(source))
    #expect(error.position == 435)
    let lines = error.description.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 3)
    #expect(lines[1] == "  …' || event.type == 'a' || event.type == b || event.type == 'c'")
    // The caret sits under the `b`, past the two-space indent and the ellipsis.
    #expect(lines[2] == "  " + String(repeating: " ", count: 41) + "^")
    // A position past the end (from the public initializer) must not trap.
    #expect(RouteMatchSyntaxError(expression: "x", position: 99, message: "m").description.hasPrefix("m\n  …\n"))
}

// MARK: - Limits

@Test func nestingDeeperThanTheLimitIsRefused() throws {
    let limit = RouteMatchExpression.maximumNesting
    #expect(limit == 100)
    let fits = String(repeating: "(", count: limit - 1) + "true" + String(repeating: ")", count: limit - 1)
    #expect(try RouteMatchExpression(fits).matches(widgetEvent))

    let parens = String(repeating: "(", count: 4_000) + "true" + String(repeating: ")", count: 4_000)
    let tooManyParens = try #require(syntaxError(parens))
    #expect(tooManyParens.message == "expression nests deeper than 100 levels at column 101")

    let nots = try #require(syntaxError(String(repeating: "!", count: 5_000) + "true"))
    #expect(nots.message == "expression nests deeper than 100 levels at column 101")

    let lists = try #require(syntaxError(String(repeating: "[", count: 300) + String(repeating: "]", count: 300)))
    #expect(lists.position == 101)

    // Operator chains deepen the tree without nesting in the text.
    let longSum = Array(repeating: "1", count: 150).joined(separator: " + ") + " == 150"
    #expect(try #require(syntaxError(longSum)).message.hasPrefix("expression nests deeper than 100 levels at column "))
}

@Test func longAlternativeChainsStayFlat() throws {
    let types = (0..<300).map { "event.type == \"t\($0)\"" } + ["event.type == \"widget\""]
    let rule = try RouteMatchExpression(types.joined(separator: " || "))
    #expect(rule.matches(widgetEvent))
}

@Test func overlongExpressionIsRefused() throws {
    let limit = RouteMatchExpression.maximumLength
    let atLimit = String(repeating: " ", count: limit - 4) + "true"
    #expect(try RouteMatchExpression(atLimit).matches(widgetEvent))
    let error = try #require(syntaxError(atLimit + " "))
    #expect(error.message == "expression is longer than \(limit) characters at column \(limit + 1)")
}

// MARK: - Realistic subscriptions

@Test func daprStyleRoutingRules() throws {
    let rules = try [
        ("event.type == \"widget\"", "/widgets"),
        ("event.data.price > 100 && event.data.currency in [\"USD\",\"EUR\"]", "/big-orders"),
        ("event.source.startsWith(\"orders-\")", "/orders"),
    ].map { (try RouteMatchExpression($0.0), $0.1) }

    func route(_ event: JSONObject) -> String {
        rules.first { $0.0.matches(event) }?.1 ?? "/default"
    }

    #expect(route(widgetEvent) == "/widgets")
    var gadget = widgetEvent
    gadget["type"] = .string("gadget")
    #expect(route(gadget) == "/big-orders")
    var cheap = gadget
    cheap["data"] = .object(["price": .number("20"), "currency": .string("USD")])
    #expect(route(cheap) == "/orders")
    var yen = gadget
    yen["data"] = .object(["price": .number("5000"), "currency": .string("JPY")])
    #expect(route(yen) == "/orders")
    var elsewhere = cheap
    elsewhere["source"] = .string("billing")
    #expect(route(elsewhere) == "/default")
}

@Test func commentsAndLineBreaksAreWhitespace() throws {
    let rule = try RouteMatchExpression("""
        event.type == "widget" // only widgets
          && event.data.price > 100
        """)
    #expect(rule.matches(widgetEvent))
    var cheap = widgetEvent
    cheap["data"] = .object(["price": .number("1")])
    #expect(!rule.matches(cheap))
}

@Test func expressionsCompareBySourceAndDescribeThemselves() throws {
    let rule = try RouteMatchExpression("event.type == 'widget'")
    #expect(rule == (try RouteMatchExpression("event.type == 'widget'")))
    #expect(rule != (try RouteMatchExpression("event.type == \"widget\"")))
    #expect(Set([rule, try RouteMatchExpression("event.type == 'widget'")]).count == 1)
    #expect(rule.description == "event.type == 'widget'")
    #expect(rule.source == "event.type == 'widget'")
}

@Test func oneParsedExpressionServesConcurrentDeliveries() async throws {
    let rule = try RouteMatchExpression("event.id.matches(r\"^[A-Z]-\\d+$\") && event.data.price > 100")
    let matched = await withTaskGroup(of: Bool.self) { group in
        for index in 0..<200 {
            var event = widgetEvent
            event["id"] = .string(index.isMultiple(of: 2) ? "B-\(index)" : "nope-\(index)")
            group.addTask { rule.matches(event) }
        }
        return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
    }
    #expect(matched == 100)
}
