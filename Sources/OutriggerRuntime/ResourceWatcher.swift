import Foundation
import Logging
import OutriggerComponents
import OutriggerCore
import ServiceLifecycle

/// Hot reload: watches the resources paths and applies added, changed and removed Component,
/// Subscription and Resiliency documents to the running sidecar (`--watch`, or Dapr's
/// `HotReload` feature in the `--config` Configuration).
///
/// The files are checked every ``interval`` (name, size and modification time of each YAML
/// file). On a change the whole set is read again; a set that does not load is reported and
/// nothing changes. Otherwise, per component name:
/// 1. new and changed components are built first: one that fails to build is reported and the
///    running one (if any) is kept;
/// 2. the subscriptions and input-binding reads of changed and removed components stop pulling
///    and their deliveries in flight finish (nothing is lost: unfinished messages stay with the
///    broker);
/// 3. the table of components is updated, and the replaced and removed components close;
/// 4. the Resiliency documents are put in force (every subscription restarts when they changed),
///    then subscriptions whose Subscription document changed or went stop, and every wanted
///    subscription and input binding that is not running starts.
struct ResourceWatcher: Service {
    let paths: [String]
    let appID: String
    let components: LoadedComponents
    let subscriptions: SubscriptionService
    let policies: ResiliencyTable
    let interval: Duration
    let logger: Logger
    /// The resources in force, as loaded at start.
    let initial: ResourceSet

    func run() async throws {
        var applied = initial
        var seen = Self.signature(of: paths)
        logger.info("hot reload: watching \(paths.joined(separator: ", ")) for resource changes")
        while !Task.isCancelled {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            let now = Self.signature(of: paths)
            guard now != seen else { continue }
            seen = now
            let loaded: ResourceSet
            do {
                loaded = try ResourceLoader.load(paths: paths)
            } catch {
                logger.error("hot reload: the resources do not load; the running ones are kept: \(error)")
                continue
            }
            for warning in loaded.warnings { logger.warning("\(warning)") }
            await apply(loaded, over: applied)
            applied = loaded
        }
    }

    /// Applies `next` over `previous` (see the type's documentation for the order).
    func apply(_ next: ResourceSet, over previous: ResourceSet) async {
        let before = Dictionary(previous.components.filter { $0.isVisible(to: appID) }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(next.components.filter { $0.isVisible(to: appID) }.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let removed = Set(before.keys).subtracting(after.keys)
        var built: [LoadedComponents.Entry] = []
        for (name, spec) in after.sorted(by: { $0.key < $1.key }) where before[name] != spec {
            do {
                built.append(.init(spec: spec, component: try await ComponentFactory.build(spec, appID: appID, secretStores: components)))
            } catch {
                logger.error("hot reload: component '\(name)' cannot start; \(before[name] == nil ? "it is not added" : "the running one is kept"): \(error)")
            }
        }
        let replaced = Set(built.map(\.spec.name)).intersection(before.keys)
        await subscriptions.stop(components: removed.union(replaced))
        var closing: [LoadedComponents.Entry] = []
        for entry in built {
            if let old = components.put(entry) { closing.append(old) }
            logger.info("hot reload: component \(replaced.contains(entry.spec.name) ? "replaced" : "added")", metadata: ["name": "\(entry.spec.name)", "type": "\(entry.spec.type)"])
        }
        for name in removed.sorted() {
            if let old = components.remove(named: name) { closing.append(old) }
            logger.info("hot reload: component removed", metadata: ["name": "\(name)"])
        }
        for entry in closing {
            do { try await entry.component.close() } catch {
                logger.warning("hot reload: closing the old component failed", metadata: ["name": "\(entry.spec.name)", "error": "\(error)"])
            }
        }
        let policiesChanged = policies.replace(with: next.resiliencies.filter { $0.isVisible(to: appID) })
        if policiesChanged { logger.info("hot reload: Resiliency policies changed; subscriptions restart with them") }
        do {
            try await subscriptions.replaceDeclared(next.subscriptions, restartAll: policiesChanged)
        } catch {
            logger.error("hot reload: starting subscriptions failed: \(error)")
        }
    }

    /// Name, size and modification time of every resource file under `paths`.
    static func signature(of paths: [String]) -> [String] {
        var entries: [String] = []
        for file in paths.flatMap({ (try? ResourceLoader.resourceFiles(at: $0)) ?? [] }) {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: file) else { continue }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? -1
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            entries.append("\(file)|\(size)|\(modified)")
        }
        return entries.sorted()
    }
}
