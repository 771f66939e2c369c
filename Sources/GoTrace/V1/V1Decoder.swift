// Decoding the raw events and batches of a v1 trace (Go's tracev1 parser.go: readRawEvent,
// loadBatch, parseEvent), and the tables they define (strings, stacks, frequency, timers).
// Same checks and error messages as Go.

/// A stack frame of a v1 trace (`tracev1.Frame`): function and file are string IDs.
struct V1Frame {
    var pc: UInt64
    var fn: UInt64
    var file: UInt64
    var line: UInt64
}

/// The stacks of a v1 trace: stack ID → its PCs (leaf first). IDs are small and dense in real
/// traces (the runtime numbers them from 1), so most live in an array.
struct V1StackTable {
    /// The PCs of all stacks, back to back.
    private(set) var pcs: [UInt64] = []
    /// id → start << 32 | count (0: no such stack; stored stacks have at least one frame).
    private var dense: [UInt64] = []
    private var sparse: [UInt32: UInt64] = [:]
    private var count = 0

    mutating func insert(_ id: UInt32, _ stackPCs: UnsafeBufferPointer<UInt64>) {
        let packed = UInt64(pcs.count) << 32 | UInt64(stackPCs.count)
        pcs.append(contentsOf: stackPCs)
        count += 1
        let i = Int(id)
        if i < dense.count {
            dense[i] = packed
        } else if i < 1024 || i < 2 * count + dense.count {
            dense.append(contentsOf: repeatElement(0, count: max(i + 1, 2 * dense.count) - dense.count))
            dense[i] = packed
        } else {
            sparse[id] = packed
        }
    }

    /// The range of ``pcs`` holding stack `id`, or nil.
    @inline(__always)
    func range(_ id: UInt32) -> Swift.Range<Int>? {
        let packed: UInt64
        if Int(id) < dense.count {
            packed = dense[Int(id)]
        } else if !sparse.isEmpty, let p = sparse[id] {
            packed = p
        } else {
            return nil
        }
        if packed == 0 { return nil }
        let start = Int(packed >> 32)
        return start..<(start + Int(packed & 0xffff_ffff))
    }

    /// Whether stack `id` exists with at least one frame (Go: `len(p.stacks[id]) != 0`).
    @inline(__always)
    func hasFrames(_ id: UInt32) -> Bool { range(id) != nil }
}

/// The tables a v1 trace defines along the way, complete once its batches have all been loaded.
struct V1Tables {
    var strings: [UInt64: String] = [:]
    /// `trace.Log` messages (stored inline in v1), numbered in order of first appearance.
    var inlineStrings: [String] = []
    var inlineStringsMapping: [String: Int] = [:]
    var stacks = V1StackTable()
    var pcs: [UInt64: V1Frame] = [:]
    /// Every stack ID an EvStack defines, also those with no frames (not in `stacks`).
    var definedStacks: Set<UInt32> = []
    var ticksPerSec: Int64 = 0
    var timerGoids = IntMap<Bool>()
    /// Whether the first pass saw an EvFrequency event (the start of the footer).
    var sawFrequency = false
}

/// Where a batch starts and how many events it has (`tracev1.batchOffset`).
struct V1BatchOffset {
    var offset: Int
    var numEvents: Int
}

/// The current batch of one P while merging or replaying (`tracev1.proc`).
struct V1ProcCursor {
    /// The current batch; `head` is the next event.
    var events: [V1Event] = []
    var head = 0
    /// Batches of this P loaded so far.
    var batchesLoaded = 0
    var done = false
}

/// Scratch memory for the arguments of one raw event (at most 2048 bytes of varints).
final class V1ArgBuffer {
    let p: UnsafeMutablePointer<UInt64>
    init() { p = .allocate(capacity: 2048 + 8) }
    deinit { p.deallocate() }
}

/// Reads raw events and batches from the bytes of a v1 trace.
struct V1Decoder {
    let data: UnsafeBufferPointer<UInt8>
    let version: Int
    var off = 0
    var tables = V1Tables()
    /// While replaying, the tables are complete: events that only define them are checked and
    /// skipped.
    var replaying = false

    // The last raw event (`tracev1.rawEvent`).
    private let argBuffer = V1ArgBuffer()
    var rawType: UInt8 = 0
    var rawCount = 0
    var rawMessage = ""
    var rawBatchPid: Int32 = 0
    var rawBatchOffset = 0

    // State of parseEvent.
    private var lastTs: Int64 = 0
    private var lastG: UInt64 = 0
    private var lastGs = IntMap<UInt64>()
    private var lastP: Int32 = 0

    init(data: UnsafeBufferPointer<UInt8>, version: Int) {
        self.data = data
        self.version = version
    }

    /// A decoder for replaying the batches: same bytes and tables, fresh decoding state.
    func forReplay() -> V1Decoder {
        var d = V1Decoder(data: data, version: version)
        d.tables = tables
        d.replaying = true
        return d
    }

    @inline(__always)
    func rawArg(_ i: Int) -> UInt64 { argBuffer.p[i] }

    /// Go's `argNum`: the number of arguments the raw event must have, counting its timestamp and
    /// stack.
    var rawArgNum: Int {
        if rawType == V1Ev.stack { return rawCount }
        let info = v1TypeInfo[Int(rawType)]
        let narg = Int(info.args) + (info.stack ? 1 : 0)
        switch rawType {
        case V1Ev.batch, V1Ev.frequency, V1Ev.timerGoroutine: return narg
        default: return narg + 1
        }
    }

    // MARK: - Bytes

    /// Go's `binary.Uvarint` at `start`; nil when malformed or cut off.
    @inline(__always)
    private func uvarint(at start: Int, end: Int) -> (value: UInt64, next: Int)? {
        guard start < end, let base = data.baseAddress else { return nil }
        let (value, n) = goUvarint(base + start, end - start)
        return n > 0 ? (value, start + n) : nil
    }

    @inline(__always)
    private mutating func readVal() throws(V1Error) -> UInt64 {
        guard let (v, next) = uvarint(at: off, end: data.count) else { throw malformedVarint() }
        off = next
        return v
    }

    /// Go's error for a bad varint at `off`, marked truncated when the data ends inside it.
    private func malformedVarint() -> V1Error {
        var i = off
        while i < data.count && i - off < 10 && data[i] >= 0x80 { i += 1 }
        return V1Error(V1Error.malformedVarint.message, truncated: i == data.count)
    }

    private mutating func discard(_ n: UInt64) -> Bool {
        if n > UInt64(Int.max) { return false }
        let (noff, overflow) = off.addingReportingOverflow(Int(n))
        if overflow || noff > data.count { return false }
        off = noff
        return true
    }

    /// The next `n` bytes (`readFull`); nil (Go: io.ErrUnexpectedEOF) if there are not enough.
    private mutating func readFull(_ n: Int) -> UnsafeBufferPointer<UInt8>? {
        if off >= data.count || off < 0 || off + n > data.count { return nil }
        let buf = UnsafeBufferPointer(rebasing: data[off..<(off + n)])
        off += n
        return buf
    }

    private mutating func readStr() throws(V1Error) -> String {
        let sz = try readVal()
        if sz == 0 { return "" }
        if sz > 1_000_000 { throw V1Error("string is too large (len=\(sz))") }
        guard let buf = readFull(Int(sz)) else { throw V1Error("failed to read trace: unexpected EOF", truncated: true) }
        return String(traceBytes: buf)
    }

    // MARK: - Raw events

    /// Reads one raw event (`readRawEvent`) into `raw…`; false at the end of the data (Go: io.EOF).
    mutating func readRawEvent(skipArgs: Bool, skipStrings: Bool) throws(V1Error) -> Bool {
        // Two bits of the first byte give the argument count (3: length-prefixed arguments). Adding
        // one for the timestamp, inline events have up to 3 values here.
        let inlineArgs = 3
        guard off < data.count else { return false }
        let b = data[off]
        off += 1
        let typ = b & 0x3f
        let narg = Int(b >> 6) + 1
        if typ == V1Ev.none || typ >= V1Ev.count || Int(v1TypeInfo[Int(typ)].minVersion) > version {
            throw V1Error("unknown event type \(typ)")
        }
        rawCount = 0

        switch typ {
        case V1Ev.string:
            // String dictionary entry [ID, length, string].
            if skipStrings {
                _ = try readVal()
                let ln = try readVal()
                if !discard(ln) { throw V1Error("failed to read trace: EOF", truncated: true) }
            } else {
                let id = try readVal()
                if id == 0 { throw V1Error("string has invalid id 0") }
                if let s = tables.strings[id], !s.isEmpty { throw V1Error("string has duplicate id \(id)") }
                let ln = try readVal()
                if ln == 0 { throw V1Error("string has invalid length 0") }
                if ln > 1_000_000 { throw V1Error("string has too large length \(ln)") }
                guard let buf = readFull(Int(ln)) else {
                    throw V1Error("failed to read trace: unexpected EOF", truncated: true)
                }
                tables.strings[id] = String(traceBytes: buf)
            }
            rawType = V1Ev.none
            return true

        case V1Ev.batch:
            if narg != 2 {
                throw V1Error("EvBatch has wrong number of arguments: got \(narg), want 2")
            }
            let start = off - 1 // the batch starts at its type byte
            let pid = try readVal()
            if pid != UInt64.max && pid > UInt64(Int32.max) {
                throw V1Error("processor ID \(pid) is larger than maximum of \(UInt64.max)")
            }
            let v = try readVal()
            rawType = V1Ev.batch
            argBuffer.p[0] = pid
            argBuffer.p[1] = v
            rawCount = 2
            rawBatchPid = pid == UInt64.max ? -1 : Int32(pid)
            rawBatchOffset = start
            return true

        default:
            rawType = typ
            if typ == V1Ev.userLog { rawMessage = "" }
            let args = argBuffer.p
            if narg <= inlineArgs {
                for _ in 0..<narg {
                    let v: UInt64
                    do { v = try readVal() } catch {
                        throw V1Error("failed to read event \(typ) argument: \(error.message)", truncated: error.truncated)
                    }
                    if !skipArgs {
                        args[rawCount] = v
                        rawCount += 1
                    }
                }
            } else {
                // Length-prefixed arguments.
                let v: UInt64
                do { v = try readVal() } catch {
                    throw V1Error("failed to read event \(typ) argument: \(error.message)", truncated: error.truncated)
                }
                let limit: UInt64 = 2048
                if v > limit {
                    throw V1Error("failed to read event \(typ) argument: length-prefixed argument too big: \(v) bytes, limit is \(limit)")
                }
                if !skipArgs || typ == V1Ev.cpuSample {
                    let start = off
                    guard readFull(Int(v)) != nil else {
                        throw V1Error("failed to read trace: unexpected EOF", truncated: true)
                    }
                    var i = start
                    let end = off
                    while i < end {
                        guard let (x, next) = uvarint(at: i, end: end) else { throw V1Error.malformedVarint }
                        args[rawCount] = x
                        rawCount += 1
                        i = next
                    }
                } else if !discard(v) {
                    throw V1Error("failed to read trace: EOF", truncated: true)
                }
                if typ == V1Ev.userLog {
                    // Followed by the message string.
                    if !skipArgs {
                        rawMessage = try readStr()
                    } else {
                        let n = try readVal()
                        if !discard(n) {
                            // Go returns io.EOF here, which ends the first pass quietly.
                            return false
                        }
                    }
                }
            }
            return true
        }
    }

    // MARK: - Batches

    /// Loads the next of `batches` (a P's batches) into `proc` (`loadBatch`); false when there are
    /// no more.
    mutating func loadBatch(_ batches: [V1BatchOffset], into proc: inout V1ProcCursor) throws(V1Error) -> Bool {
        guard proc.batchesLoaded < batches.count else { return false }
        let n = batches[proc.batchesLoaded].numEvents
        off = batches[proc.batchesLoaded].offset
        proc.batchesLoaded += 1
        if proc.events.capacity >= n {
            proc.events.removeAll(keepingCapacity: true)
        } else {
            proc.events = []
            proc.events.reserveCapacity(n)
        }
        proc.head = 0

        var gotHeader = false
        var ev = V1Event()
        while true {
            guard try readRawEvent(skipArgs: false, skipStrings: replaying) else { break }
            if rawType == V1Ev.none || rawType == V1Ev.cpuSample { continue }
            if rawType == V1Ev.batch {
                if gotHeader { break }
                gotHeader = true
            }
            if try parseEvent(&ev) {
                proc.events.append(ev)
            }
        }
        return true
    }

    /// Turns the raw event into `ev`, checking its arguments (`parseEvent`). Returns false for
    /// events that only update the parser's state (Go: `ev.Type = EvNone`).
    private mutating func parseEvent(_ ev: inout V1Event) throws(V1Error) -> Bool {
        let info = v1TypeInfo[Int(rawType)]
        if !info.known {
            throw V1Error("missing description for event type \(rawType)")
        }
        let narg = rawArgNum
        if rawCount != narg {
            throw V1Error("\(v1EventDescriptions[Int(rawType)].name) has wrong number of arguments: want \(narg), got \(rawCount)")
        }
        let args = argBuffer.p
        switch rawType {
        case V1Ev.batch:
            lastGs.set(Int64(lastP), lastG)
            if args[0] != UInt64.max && args[0] > UInt64(Int32.max) {
                throw V1Error("processor ID \(args[0]) is larger than maximum of \(Int32.max)")
            }
            lastP = args[0] == UInt64.max ? -1 : Int32(args[0])
            lastG = lastGs[Int64(lastP)] ?? 0
            lastTs = Int64(bitPattern: args[1])
        case V1Ev.frequency:
            if replaying { break }
            tables.ticksPerSec = Int64(bitPattern: args[0])
            if tables.ticksPerSec <= 0 {
                // Most likely tick skew between CPUs.
                throw V1Error.timeOrder
            }
        case V1Ev.timerGoroutine:
            if replaying { break }
            tables.timerGoids.set(Int64(bitPattern: args[0]), true)
        case V1Ev.stack:
            if rawCount < 2 {
                throw V1Error("EvStack has wrong number of arguments: want at least 2, got \(rawCount)")
            }
            let size = args[1]
            if size > 1000 {
                throw V1Error("EvStack has bad number of frames: \(size)")
            }
            let want = 2 + 4 * size
            if UInt64(rawCount) != want {
                throw V1Error("EvStack has wrong number of arguments: want \(want), got \(rawCount)")
            }
            if replaying { break }
            let id = UInt32(truncatingIfNeeded: args[0])
            tables.definedStacks.insert(id)
            if id != 0 && size > 0 {
                var stackPCs = [UInt64](repeating: 0, count: Int(size))
                for i in 0..<Int(size) {
                    let pc = args[2 + i * 4]
                    stackPCs[i] = pc
                    if tables.pcs[pc] == nil {
                        tables.pcs[pc] = V1Frame(pc: pc, fn: args[2 + i * 4 + 1], file: args[2 + i * 4 + 2],
                                                 line: args[2 + i * 4 + 3])
                    }
                }
                stackPCs.withUnsafeBufferPointer { tables.stacks.insert(id, $0) }
            }
        case V1Ev.cpuSample:
            // Parsed in the first pass; not part of the batch.
            break
        default:
            ev = V1Event()
            ev.type = rawType
            ev.p = lastP
            ev.g = lastG
            ev.ts = lastTs &+ Int64(bitPattern: args[0])
            lastTs = ev.ts
            if narg > 1 {
                for i in 1..<narg {
                    if i == narg - 1 && info.stack {
                        ev.stkID = UInt32(truncatingIfNeeded: args[i])
                    } else {
                        ev[arg: i - 1] = args[i]
                    }
                }
            }
            switch rawType {
            case V1Ev.goStart, V1Ev.goStartLocal, V1Ev.goStartLabel:
                lastG = ev.a0
                ev.g = lastG
            case V1Ev.goEnd, V1Ev.goStop, V1Ev.goSched, V1Ev.goPreempt, V1Ev.goSleep, V1Ev.goBlock,
                 V1Ev.goBlockSend, V1Ev.goBlockRecv, V1Ev.goBlockSelect, V1Ev.goBlockSync, V1Ev.goBlockCond,
                 V1Ev.goBlockNet, V1Ev.goSysBlock, V1Ev.goBlockGC:
                lastG = 0
            case V1Ev.goSysExit, V1Ev.goWaiting, V1Ev.goInSyscall:
                ev.g = ev.a0
            case V1Ev.userLog:
                // Args: task, key string ID; then the message, stored inline: give it an index.
                if let id = tables.inlineStringsMapping[rawMessage] {
                    ev.a3 = UInt64(id)
                } else {
                    let id = tables.inlineStrings.count
                    tables.inlineStringsMapping[rawMessage] = id
                    tables.inlineStrings.append(rawMessage)
                    ev.a3 = UInt64(id)
                }
            default:
                break
            }
            return true
        }
        return false
    }
}
