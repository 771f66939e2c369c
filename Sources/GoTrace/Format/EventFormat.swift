// Go's `Event.String()` (internal/trace/event.go), byte for byte: what `go tool trace -d=parsed`
// prints for each event (it adds a newline).

extension Event: CustomStringConvertible {
    /// Go's `Event.String()`, e.g. `M=1 P=0 G=-1 StateTransition Time=16 ProcID=0 Undetermined->Running Reason=""`.
    public var description: String { goString }

    /// Go's `Event.String()`.
    public var goString: String {
        var out: [UInt8] = []
        appendGoString(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends Go's `Event.String()` (without a trailing newline) to `out`. Strings from the trace
    /// are written with their exact bytes, so invalid UTF-8 is quoted as Go quotes it.
    public func appendGoString(to out: inout [UInt8]) {
        out.appendLiteral("M="); out.appendInt(thread)
        out.appendLiteral(" P="); out.appendInt(proc)
        out.appendLiteral(" G="); out.appendInt(goroutine)
        out.append(UInt8(ascii: " ")); out.appendString(kind.name)
        out.appendLiteral(" Time="); out.appendInt(time)
        if let payload = box?.payload {
            appendPayload(payload, to: &out)
        } else if let table {
            appendWireDetails(table, to: &out)
        } else if kind == .sync {
            out.appendLiteral(" N="); out.appendUInt(args.a0)
        }
        let stk = box?.stack ?? wireStack
        if !stk.isGoNoStack {
            out.appendLiteral("\nStack=\n")
            appendStackFrames(stk, to: &out)
        }
    }

    // MARK: From the wire arguments

    private func appendWireDetails(_ t: GenerationTable, to out: inout [UInt8]) {
        func quoted(_ id: UInt64) { t.withStringBytes(id) { appendGoQuoted($0, to: &out) } }
        switch kind {
        case .metric:
            out.appendLiteral(" Name=")
            switch typ {
            case Ev.procsChange: out.appendLiteral("\"/sched/gomaxprocs:threads\"")
            case Ev.heapAlloc: out.appendLiteral("\"/memory/classes/heap/objects:bytes\"")
            default: out.appendLiteral("\"/gc/heap/goal:bytes\"")
            }
            out.appendLiteral(" Value=Value{Uint64("); out.appendUInt(args.a0); out.appendLiteral(")}")
        case .label:
            out.appendLiteral(" Label="); quoted(args.a0)
            out.appendLiteral(" Resource=Goroutine("); out.appendInt(goroutine); out.append(UInt8(ascii: ")"))
        case .rangeBegin, .rangeActive, .rangeEnd:
            out.appendLiteral(" Name=")
            switch typ {
            case Ev.stwBegin, Ev.stwEnd:
                var name: [UInt8] = Array("stop-the-world (".utf8)
                t.withStringBytes(args.a0) { name.append(contentsOf: $0) }
                name.append(UInt8(ascii: ")"))
                name.withUnsafeBufferPointer { appendGoQuoted($0, to: &out) }
                out.appendLiteral(" Scope=Goroutine("); out.appendInt(goroutine); out.append(UInt8(ascii: ")"))
            case Ev.gcBegin, Ev.gcActive, Ev.gcEnd:
                out.appendLiteral("\"GC concurrent mark phase\" Scope=None")
            case Ev.gcSweepBegin, Ev.gcSweepActive, Ev.gcSweepEnd:
                out.appendLiteral("\"GC incremental sweep\" Scope=Proc(")
                out.appendInt(typ == Ev.gcSweepActive ? Int64(bitPattern: args.a0) : proc)
                out.append(UInt8(ascii: ")"))
            default:
                out.appendLiteral("\"GC mark assist\" Scope=Goroutine(")
                out.appendInt(typ == Ev.gcMarkAssistActive ? Int64(bitPattern: args.a0) : goroutine)
                out.append(UInt8(ascii: ")"))
            }
            if kind == .rangeEnd {
                out.appendLiteral(" Attributes=[")
                if typ == Ev.gcSweepEnd {
                    out.appendLiteral("\"bytes swept\"=Value{Uint64("); out.appendUInt(args.a0)
                    out.appendLiteral(")} \"bytes reclaimed\"=Value{Uint64("); out.appendUInt(args.a1)
                    out.appendLiteral(")}")
                }
                out.append(UInt8(ascii: "]"))
            }
        case .taskBegin, .taskEnd:
            out.appendLiteral(" ID="); out.appendUInt(args.a0)
            out.appendLiteral(" Parent="); out.appendUInt(typ == Ev.userTaskBegin ? args.a1 : args.a2)
            out.appendLiteral(" Type=")
            if typ == Ev.userTaskBegin {
                quoted(args.a2)
            } else {
                (box?.taskType ?? []).withUnsafeBufferPointer { appendGoQuoted($0, to: &out) }
            }
        case .regionBegin, .regionEnd:
            out.appendLiteral(" Task="); out.appendUInt(args.a0)
            out.appendLiteral(" Type="); quoted(args.a1)
        case .log:
            out.appendLiteral(" Task="); out.appendUInt(args.a0)
            out.appendLiteral(" Category="); quoted(args.a1)
            out.appendLiteral(" Message="); quoted(args.a2)
        case .stateTransition:
            let st = wireStateTransition
            appendTransitionHead(st, to: &out)
            out.appendLiteral(" Reason=")
            if typ == Ev.goStop || typ == Ev.goBlock { quoted(args.a0) } else { out.appendLiteral("\"\"") }
            if !st.stack.isGoNoStack {
                out.appendLiteral("\nTransitionStack=\n")
                appendStackFrames(st.stack, to: &out)
            }
        case .experimental:
            let spec = wireSpecs[Int(typ)]
            out.appendLiteral(" Name="); out.appendString(spec.name); out.appendLiteral(" Args=[")
            for (i, name) in spec.args.dropFirst().enumerated() {
                if i != 0 { out.appendLiteral(", ") }
                out.appendString(name); out.append(UInt8(ascii: "="))
                if name.hasSuffix("string") {
                    t.withStringBytes(args[i]) { out.append(contentsOf: $0) }
                } else {
                    out.appendLiteral("Value{Uint64("); out.appendUInt(args[i]); out.appendLiteral(")}")
                }
            }
            out.append(UInt8(ascii: "]"))
        case .sync:
            out.appendLiteral(" N="); out.appendUInt(args.a0)
            if t.hasClockSnapshot {
                out.appendLiteral(" Trace="); out.appendInt(t.mul(t.snapTime))
                out.appendLiteral(" Mono="); out.appendUInt(t.snapMono)
                out.appendLiteral(" Wall="); appendRFC3339Nano(sec: t.snapSec, nsec: t.snapNsec, to: &out)
            }
        case .bad, .stackSample:
            break
        }
    }

    // MARK: From an explicitly set payload

    private func appendPayload(_ payload: EventPayload, to out: inout [UInt8]) {
        switch payload {
        case .none:
            break
        case .metric(let m):
            out.appendLiteral(" Name="); appendGoQuoted(m.name, to: &out)
            out.appendLiteral(" Value="); appendValue(m.value, quoteStrings: false, to: &out)
        case .label(let l):
            out.appendLiteral(" Label="); appendGoQuoted(l.label, to: &out)
            out.appendLiteral(" Resource="); out.appendString(l.resource.description)
        case .range(let r, let attributes):
            out.appendLiteral(" Name="); appendGoQuoted(r.name, to: &out)
            out.appendLiteral(" Scope="); out.appendString(r.scope.description)
            if kind == .rangeEnd {
                out.appendLiteral(" Attributes=[")
                for (i, a) in attributes.enumerated() {
                    if i != 0 { out.append(UInt8(ascii: " ")) }
                    appendGoQuoted(a.name, to: &out); out.append(UInt8(ascii: "="))
                    appendValue(a.value, quoteStrings: false, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
        case .task(let t):
            out.appendLiteral(" ID="); out.appendUInt(t.id)
            out.appendLiteral(" Parent="); out.appendUInt(t.parent)
            out.appendLiteral(" Type="); appendGoQuoted(t.type, to: &out)
        case .region(let r):
            out.appendLiteral(" Task="); out.appendUInt(r.task)
            out.appendLiteral(" Type="); appendGoQuoted(r.type, to: &out)
        case .log(let l):
            out.appendLiteral(" Task="); out.appendUInt(l.task)
            out.appendLiteral(" Category="); appendGoQuoted(l.category, to: &out)
            out.appendLiteral(" Message="); appendGoQuoted(l.message, to: &out)
        case .stateTransition(let st):
            appendTransitionHead(st, to: &out)
            out.appendLiteral(" Reason="); appendGoQuoted(st.reason, to: &out)
            if !st.stack.isGoNoStack {
                out.appendLiteral("\nTransitionStack=\n")
                appendStackFrames(st.stack, to: &out)
            }
        case .experimental(let e):
            out.appendLiteral(" Name="); out.appendString(e.name); out.appendLiteral(" Args=[")
            for (i, name) in e.args.enumerated() {
                if i != 0 { out.appendLiteral(", ") }
                out.appendString(name); out.append(UInt8(ascii: "="))
                if i < e.argValues.count { appendValue(e.argValues[i], quoteStrings: false, to: &out) }
            }
            out.append(UInt8(ascii: "]"))
        case .sync(let s):
            out.appendLiteral(" N="); out.appendInt(Int64(s.n))
            if let c = s.clockSnapshot {
                out.appendLiteral(" Trace="); out.appendInt(c.trace)
                out.appendLiteral(" Mono="); out.appendUInt(c.mono)
                out.appendLiteral(" Wall=")
                appendRFC3339Nano(sec: c.wallSeconds, nsec: c.wallNanoseconds, to: &out)
            }
        }
    }

    private func appendValue(_ v: Value, quoteStrings: Bool, to out: inout [UInt8]) {
        switch v {
        case .uint64(let x): out.appendLiteral("Value{Uint64("); out.appendUInt(x); out.appendLiteral(")}")
        case .string(let s): if quoteStrings { appendGoQuoted(s, to: &out) } else { out.appendString(s) }
        }
    }

    private func appendTransitionHead(_ st: StateTransition, to out: inout [UInt8]) {
        switch st.resource.kind {
        case .goroutine:
            let (from, to) = st.goroutine
            out.appendLiteral(" GoID="); out.appendInt(st.resource.id)
            out.append(UInt8(ascii: " ")); out.appendString(from.name)
            out.appendLiteral("->"); out.appendString(to.name)
        case .proc:
            let (from, to) = st.proc
            out.appendLiteral(" ProcID="); out.appendInt(st.resource.id)
            out.append(UInt8(ascii: " ")); out.appendString(from.name)
            out.appendLiteral("->"); out.appendString(to.name)
        default:
            break
        }
    }
}

/// Go's `printStack(w, "\t", frames)`: two lines per frame.
func appendStackFrames(_ stack: Stack, to out: inout [UInt8]) {
    switch stack.source {
    case .table(let t):
        if stack.id == 0 { return }
        for f in t.stackFrames(stack.id) {
            out.append(UInt8(ascii: "\t"))
            t.withStringBytes(f.funcID) { out.append(contentsOf: $0) }
            out.appendLiteral(" @ 0x"); out.appendHex(f.pc)
            out.appendLiteral("\n\t\t")
            t.withStringBytes(f.fileID) { out.append(contentsOf: $0) }
            out.append(UInt8(ascii: ":")); out.appendUInt(f.line)
            out.append(UInt8(ascii: "\n"))
        }
    case .frames(let frames):
        for f in frames {
            out.append(UInt8(ascii: "\t")); out.appendString(f.function)
            out.appendLiteral(" @ 0x"); out.appendHex(f.pc)
            out.appendLiteral("\n\t\t"); out.appendString(f.file)
            out.append(UInt8(ascii: ":")); out.appendUInt(f.line)
            out.append(UInt8(ascii: "\n"))
        }
    case nil:
        break
    }
}
