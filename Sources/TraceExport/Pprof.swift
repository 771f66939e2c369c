import TraceWarehouse
/// One frame of a profile stack.
public struct ProfileFrame: Hashable, Sendable {
    public var pc: UInt64
    public var function: String
    public var file: String
    public var line: Int64
    public init(pc: UInt64, function: String, file: String, line: Int64) {
        self.pc = pc; self.function = function; self.file = file; self.line = line
    }
}

/// A pprof profile (github.com/google/pprof/proto/profile.proto), built in memory and encoded by hand.
///
/// Locations are keyed by PC and functions by (file, name), as `go tool trace -pprof` does
/// (internal/trace/traceviewer.BuildProfile). A frame with PC 0 (a stack known only by function names)
/// gets a location per (function, file, line).
public struct PprofProfile: Sendable {
    public struct ValueType: Sendable, Equatable {
        public var type: String, unit: String
        public init(_ type: String, _ unit: String) { self.type = type; self.unit = unit }
    }
    public struct Sample: Sendable {
        public var stack: [ProfileFrame]   // leaf first
        public var values: [Int64]
        public var labels: [(key: String, value: String)]
        public init(stack: [ProfileFrame], values: [Int64], labels: [(key: String, value: String)] = []) {
            self.stack = stack; self.values = values; self.labels = labels
        }
    }

    public var sampleTypes: [ValueType]
    public var periodType: ValueType
    public var period: Int64
    public var samples: [Sample] = []
    public var timeNanos: Int64 = 0
    public var durationNanos: Int64 = 0
    public var comments: [String] = []
    /// Index into `sampleTypes` of the type viewers show first (nil: the last one, pprof's default).
    public var defaultSampleType: Int?

    public init(sampleTypes: [ValueType], periodType: ValueType, period: Int64) {
        self.sampleTypes = sampleTypes; self.periodType = periodType; self.period = period
    }

    /// The total of each sample type over all samples.
    public var totals: [Int64] {
        var t = [Int64](repeating: 0, count: sampleTypes.count)
        for s in samples { for (i, v) in s.values.enumerated() where i < t.count { t[i] += v } }
        return t
    }

    /// The profile as an uncompressed profile.proto message.
    public func encode() -> [UInt8] {
        var strings: [String] = [""]
        var stringIndex: [String: Int64] = ["": 0]
        func str(_ s: String) -> Int64 {
            if let i = stringIndex[s] { return i }
            let i = Int64(strings.count)
            strings.append(s); stringIndex[s] = i
            return i
        }
        struct FunctionKey: Hashable { var file: String, name: String }
        struct LocationKey: Hashable { var pc: UInt64, name: String, file: String, line: Int64 }
        var functionIDs: [FunctionKey: UInt64] = [:]
        var functions: [(id: UInt64, name: Int64, file: Int64)] = []
        var locationIDs: [LocationKey: UInt64] = [:]
        var locations: [(id: UInt64, pc: UInt64, function: UInt64, line: Int64)] = []

        var w = ProtoWriter()
        for t in sampleTypes {
            let ty = str(t.type), un = str(t.unit)
            w.message(1) { m in m.int(1, ty); m.int(2, un) }
        }
        for s in samples {
            var ids: [UInt64] = []
            ids.reserveCapacity(s.stack.count)
            for f in s.stack {
                let lk = f.pc != 0 ? LocationKey(pc: f.pc, name: "", file: "", line: 0)
                                   : LocationKey(pc: 0, name: f.function, file: f.file, line: f.line)
                if let id = locationIDs[lk] { ids.append(id); continue }
                let fk = FunctionKey(file: f.file, name: f.function)
                let fid: UInt64
                if let id = functionIDs[fk] { fid = id } else {
                    fid = UInt64(functions.count + 1)
                    functionIDs[fk] = fid
                    functions.append((fid, str(f.function), str(f.file)))
                }
                let lid = UInt64(locations.count + 1)
                locationIDs[lk] = lid
                locations.append((lid, f.pc, fid, f.line))
                ids.append(lid)
            }
            let labels = s.labels.map { (str($0.key), str($0.value)) }
            w.message(2) { m in
                m.packed(1, ids)
                m.packed(2, s.values)
                for (k, v) in labels { m.message(3) { l in l.int(1, k); l.int(2, v) } }
            }
        }
        // One mapping that claims symbolized functions, file names and lines, so pprof does not try
        // to symbolize the addresses against a binary it does not have.
        w.message(3) { m in
            m.uint(1, 1)
            m.bool(7, true); m.bool(8, true); m.bool(9, true)
        }
        for l in locations {
            w.message(4) { m in
                m.uint(1, l.id); m.uint(2, 1); m.uint(3, l.pc)
                m.message(4) { ln in ln.uint(1, l.function); ln.int(2, l.line) }
            }
        }
        for f in functions {
            w.message(5) { m in m.uint(1, f.id); m.int(2, f.name); m.int(3, f.name); m.int(4, f.file) }
        }
        let period = (str(periodType.type), str(periodType.unit))
        let commentIDs = comments.map { str($0) }
        let defaultType = defaultSampleType.map { str(sampleTypes[$0].type) } ?? 0
        for s in strings { w.string(6, s) }
        w.int(9, timeNanos)
        w.int(10, durationNanos)
        w.message(11) { m in m.int(1, period.0); m.int(2, period.1) }
        w.int(12, self.period)
        w.packed(13, commentIDs)
        w.int(14, defaultType)
        return w.bytes
    }

    /// The profile gzipped, as `go tool pprof` expects in a `.pb.gz` file.
    public func gzipped() throws -> [UInt8] { try Gzip.compress(encode()) }
}
