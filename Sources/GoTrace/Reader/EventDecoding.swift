// Decoding an event's public details from its wire arguments, as Go's Event accessors do
// (Metric(), Label(), Range(), Task(), StateTransition(), … in internal/trace/event.go).

extension Event {
    /// Go's `Event.Stack()` from the wire arguments.
    var wireStack: Stack {
        guard let table else { return .empty }
        if typ == Ev.syncEvent { return .empty }
        if typ == Ev.cpuSample { return Stack(id: args.a0, table: table) }
        let slot = wireTypeInfo[Int(typ)].stackSlot
        if slot < 0 { return .empty }
        let id = args[Int(slot)]
        return id == 0 ? .empty : Stack(id: id, table: table)
    }

    /// The string for a string-ID argument.
    @inline(__always)
    func tableString(_ id: UInt64) -> String { table?.string(id) ?? "" }

    /// The type of a TaskEnd as recorded by the ordering ("" if its TaskBegin was not seen).
    var taskEndType: String {
        guard let bytes = box?.taskType else { return "" }
        return String(traceBytes: bytes)
    }

    /// Decodes the payload from the wire arguments.
    var wirePayload: EventPayload {
        switch kind {
        case .sync:
            return .sync(wireSync)
        case .metric:
            switch typ {
            case Ev.procsChange: return .metric(Metric(name: "/sched/gomaxprocs:threads", value: .uint64(args.a0)))
            case Ev.heapAlloc:
                return .metric(Metric(name: "/memory/classes/heap/objects:bytes", value: .uint64(args.a0)))
            default: return .metric(Metric(name: "/gc/heap/goal:bytes", value: .uint64(args.a0)))
            }
        case .label:
            return .label(Label(label: tableString(args.a0), resource: .goroutine(goroutine)))
        case .rangeBegin, .rangeActive, .rangeEnd:
            var attributes: [RangeAttribute] = []
            if typ == Ev.gcSweepEnd {
                attributes = [RangeAttribute(name: "bytes swept", value: .uint64(args.a0)),
                              RangeAttribute(name: "bytes reclaimed", value: .uint64(args.a1))]
            }
            return .range(wireRange, attributes: attributes)
        case .taskBegin, .taskEnd:
            if typ == Ev.userTaskBegin {
                return .task(Task(id: args.a0, parent: args.a1, type: tableString(args.a2)))
            }
            return .task(Task(id: args.a0, parent: args.a2, type: taskEndType))
        case .regionBegin, .regionEnd:
            return .region(Region(task: args.a0, type: tableString(args.a1)))
        case .log:
            return .log(Log(task: args.a0, category: tableString(args.a1), message: tableString(args.a2)))
        case .stateTransition:
            return .stateTransition(wireStateTransition)
        case .experimental:
            return .experimental(wireExperimental)
        case .bad, .stackSample:
            return .none
        }
    }

    var wireSync: Sync {
        var sync = Sync(n: Int(truncatingIfNeeded: args.a0), clockSnapshot: nil, experimentalBatches: [:])
        guard let table else { return sync }
        for (exp, batches) in table.expBatches {
            let name = Int(exp) < experimentNames.count ? experimentNames[Int(exp)] : "Experiment(\(exp))"
            sync.experimentalBatches[name] = batches
        }
        if table.hasClockSnapshot {
            let (sec, nsec) = normalizeUnix(table.snapSec, table.snapNsec)
            sync.clockSnapshot = ClockSnapshot(trace: table.mul(table.snapTime), wallSeconds: sec,
                                               wallNanoseconds: nsec, mono: table.snapMono)
        }
        return sync
    }

    var wireRange: Range {
        switch typ {
        case Ev.stwBegin, Ev.stwEnd:
            return Range(name: "stop-the-world (" + tableString(args.a0) + ")", scope: .goroutine(goroutine))
        case Ev.gcBegin, Ev.gcActive, Ev.gcEnd:
            return Range(name: "GC concurrent mark phase", scope: .none)
        case Ev.gcSweepBegin, Ev.gcSweepActive, Ev.gcSweepEnd:
            let p = typ == Ev.gcSweepActive ? ProcID(bitPattern: args.a0) : proc
            return Range(name: "GC incremental sweep", scope: .proc(p))
        default:
            let g = typ == Ev.gcMarkAssistActive ? GoID(bitPattern: args.a0) : goroutine
            return Range(name: "GC mark assist", scope: .goroutine(g))
        }
    }

    var wireStateTransition: StateTransition {
        func go(_ id: GoID, _ from: GoState, _ to: GoState) -> StateTransition {
            StateTransition(resource: .goroutine(id), reason: "", stack: .empty, oldState: from.rawValue,
                            newState: to.rawValue)
        }
        func proc(_ id: ProcID, _ from: ProcState, _ to: ProcState) -> StateTransition {
            StateTransition(resource: .proc(id), reason: "", stack: .empty, oldState: from.rawValue,
                            newState: to.rawValue)
        }
        switch typ {
        case Ev.procStart:
            return proc(ProcID(bitPattern: args.a0), .idle, .running)
        case Ev.procStop:
            return proc(self.proc, .running, .idle)
        case Ev.procSteal:
            let before: ProcState = args.a3 == WireProcStatus.syscallAbandoned ? .idle : .running
            return proc(ProcID(bitPattern: args.a0), before, .idle)
        case Ev.procStatus:
            let from = ProcState(rawValue: UInt8(truncatingIfNeeded: args.a2)) ?? .undetermined
            let to = args.a1 < 5 ? WireProcStatus.toProcState[Int(args.a1)] : .undetermined
            return proc(ProcID(bitPattern: args.a0), from, to)
        case Ev.goCreate, Ev.goCreateBlocked:
            var s = go(GoID(bitPattern: args.a0), .notExist, typ == Ev.goCreateBlocked ? .waiting : .runnable)
            if let table { s.stack = Stack(id: args.a1, table: table) }
            return s
        case Ev.goCreateSyscall:
            return go(GoID(bitPattern: args.a0), .notExist, .syscall)
        case Ev.goStart:
            return go(GoID(bitPattern: args.a0), .runnable, .running)
        case Ev.goDestroy:
            return go(goroutine, .running, .notExist)
        case Ev.goDestroySyscall:
            return go(goroutine, .syscall, .notExist)
        case Ev.goStop, Ev.goBlock:
            var s = go(goroutine, .running, typ == Ev.goStop ? .runnable : .waiting)
            s.reason = tableString(args.a0)
            s.stack = wireStack
            return s
        case Ev.goUnblock, Ev.goSwitch, Ev.goSwitchDestroy:
            return go(GoID(bitPattern: args.a0), .waiting, .runnable)
        case Ev.goSyscallBegin:
            var s = go(goroutine, .running, .syscall)
            s.stack = wireStack
            return s
        case Ev.goSyscallEnd:
            return go(goroutine, .syscall, .running)
        case Ev.goSyscallEndBlocked:
            return go(goroutine, .syscall, .runnable)
        default: // GoStatus, GoStatusStack: the ordering packs old<<32 | new status.
            let packed = args.a2
            let from = GoState(rawValue: UInt8(truncatingIfNeeded: packed >> 32)) ?? .undetermined
            let toStatus = packed & 0xffff_ffff
            let to = toStatus < 5 ? WireGoStatus.toGoState[Int(toStatus)] : .undetermined
            var s = go(GoID(bitPattern: args.a0), from, to)
            s.stack = wireStack
            return s
        }
    }

    var wireExperimental: ExperimentalEvent {
        let spec = wireSpecs[Int(typ)]
        let names = Array(spec.args.dropFirst())
        var values: [Value] = []
        for (i, name) in names.enumerated() {
            values.append(name.hasSuffix("string") ? .string(tableString(args[i])) : .uint64(args[i]))
        }
        let experiment = Int(spec.experiment) < experimentNames.count ? experimentNames[Int(spec.experiment)] : ""
        return ExperimentalEvent(name: spec.name, experiment: experiment, args: names, argValues: values)
    }
}

/// `time.Unix(sec, nsec)`'s normalization of nanoseconds into [0, 1e9).
func normalizeUnix(_ sec: Int64, _ nsec: Int64) -> (Int64, Int64) {
    var s = sec, n = nsec
    if n < 0 || n >= 1_000_000_000 {
        let q = n / 1_000_000_000
        s = s &+ q
        n -= q * 1_000_000_000
        if n < 0 { n += 1_000_000_000; s = s &- 1 }
    }
    return (s, n)
}
