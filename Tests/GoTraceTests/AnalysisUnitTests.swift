// Hand-checked synthetic traces for GoroutineSummarizer, ProfileBuilder and RangeTracker.

import Testing
@testable import GoTrace

/// A stack whose frames are `funcs` (leaf first) with PCs `pcBase`, `pcBase + 1`, … (by default
/// distinct for each stack id).
private func stack(_ id: UInt64, gen: UInt64 = 1, _ funcs: [String], pcBase: UInt64? = nil) -> Stack {
    let base = pcBase ?? 0x1000 * (id + 1)
    return Stack(id: id, generation: gen, frames: funcs.enumerated().map {
        StackFrame(pc: base + UInt64($0.offset), function: $0.element, file: "f.go", line: UInt64($0.offset))
    })
}

/// One small trace exercising most of the Summarizer's rules; the times are recorded as it is built.
private struct Scenario {
    var t = SyntheticTrace()
    var s1: Int64 = 0, t1: Int64 = 0, rb: Int64 = 0, c2: Int64 = 0, b1: Int64 = 0, r2: Int64 = 0, sc2: Int64 = 0
    var steal: Int64 = 0, se2: Int64 = 0, r2b: Int64 = 0, u1: Int64 = 0, f2: Int64 = 0, r1: Int64 = 0, re: Int64 = 0
    var g3: Int64 = 0, s2: Int64 = 0, sc4: Int64 = 0, steal4: Int64 = 0, pre1: Int64 = 0, run1: Int64 = 0
    var end: Int64 = 0
    let mainStack = stack(1, ["main.f", "main.main"])
    let mainStackGen2 = stack(9, gen: 2, ["main.f", "main.main"], pcBase: 0x2000) // same PCs as mainStack

    init() {
        t.sync(1); s1 = t.time
        t.gomaxprocs(2)
        // g1 already running when the trace starts (GoStatus).
        t.go(1, .undetermined, .running, p: 0, stStack: mainStack); t1 = t.time
        t.add(.regionBegin, g: 1, p: 0, stack: mainStack, .region(Region(task: 5, type: "r"))); rb = t.time
        // g1 creates g2 inside the region: g2 inherits task 5 through a synthetic region.
        t.go(2, .notExist, .runnable, by: 1, p: 0, stack: mainStack, stStack: stack(2, ["main.worker"])); c2 = t.time
        t.go(1, .running, .waiting, reason: "chan receive", by: 1, p: 0, stack: mainStack, stStack: mainStack); b1 = t.time
        t.go(2, .runnable, .running, p: 0); r2 = t.time
        t.go(2, .running, .syscall, by: 2, p: 0, stack: stack(3, ["syscall.read", "main.worker"])); sc2 = t.time
        t.proc(0, .running, .idle); steal = t.time // the P is taken: the syscall blocks from here
        t.go(2, .syscall, .runnable, by: 2, p: noProc); se2 = t.time
        t.go(2, .runnable, .running, p: 1); r2b = t.time
        t.go(1, .waiting, .runnable, by: 2, p: 1, stack: stack(4, ["main.send", "main.worker"])); u1 = t.time
        t.go(2, .running, .waiting, reason: "forever", by: 2, p: 1, stack: stack(5, ["main.worker"])); f2 = t.time
        t.go(1, .runnable, .running, p: 1); r1 = t.time
        t.add(.regionEnd, g: 1, p: 1, .region(Region(task: 5, type: "r"))); re = t.time
        // g3 first appears blocked in a GoStatus event.
        t.go(3, .undetermined, .waiting, p: noProc); g3 = t.time
        t.sync(2); s2 = t.time
        t.go(1, .running, .running, p: 1) // a re-assertion: ignored
        // g4 enters a syscall whose P is taken, and is still there at the end (snapshot quirk).
        t.go(4, .undetermined, .running, p: 0, stStack: stack(6, gen: 2, ["main.bg"]))
        t.go(4, .running, .syscall, by: 4, p: 0, stack: mainStackGen2); sc4 = t.time
        t.proc(0, .running, .idle); steal4 = t.time
        t.go(1, .running, .runnable, by: 1, p: 1, stack: mainStackGen2); pre1 = t.time // same PCs, new generation
        t.go(1, .runnable, .running, p: 1); run1 = t.time
        t.sync(3); end = t.time
    }
}

@Suite("Analysis: synthetic traces")
struct AnalysisUnitTests {
    @Test func summarizer() throws {
        let s = Scenario()
        let summarizer = GoroutineSummarizer()
        for e in s.t.events { summarizer.feed(e) }
        let sum = summarizer.finalize()
        #expect(sum.startTime == s.s1 && sum.endTime == s.end)

        let g1 = try #require(sum.goroutines[1])
        #expect(g1.name == "main.main" && g1.pc == 0x2001 && !g1.isSystem)
        #expect(g1.creationTime == s.s1)               // Undetermined: created at the last Sync
        #expect(g1.startTime == s.t1 && g1.endTime == nil)
        #expect(g1.finalState == .running)
        #expect(g1.lastStartTime == s.run1)
        #expect(g1.execTime == (s.t1 - s.s1) + (s.b1 - s.t1) + (s.pre1 - s.r1) + (s.end - s.run1))
        #expect(g1.blockTimeByReason == ["chan receive": s.u1 - s.b1])
        #expect(g1.schedWaitTime == (s.r1 - s.u1) + (s.run1 - s.pre1))
        #expect(g1.totalTime == s.end - s.s1 && g1.unknownTime == 0)
        let r = try #require(g1.regions.first)
        #expect(g1.regions.count == 1 && r.name == "r" && r.taskID == 5 && !r.isSynthetic)
        #expect(r.start?.time == s.rb && r.end?.time == s.re)
        #expect(r.stats.totalTime == s.re - s.rb)
        #expect(r.stats.execTime == (s.b1 - s.rb) + (s.re - s.r1))
        #expect(r.stats.blockTimeByReason == ["chan receive": s.u1 - s.b1])
        #expect(r.topStackFrame?.function == "main.main")

        let g2 = try #require(sum.goroutines[2])
        #expect(g2.name == "main.worker" && g2.creationTime == s.c2)
        #expect(g2.startTime == s.r2 && g2.endTime == s.f2)    // "forever" ends it…
        #expect(g2.finalState == .waiting)                     // …though it stays Waiting
        #expect(g2.lastStartTime == s.r2b)
        #expect(g2.schedWaitTime == (s.r2 - s.c2) + (s.r2b - s.se2))
        #expect(g2.execTime == (s.sc2 - s.r2) + (s.f2 - s.r2b))
        #expect(g2.syscallTime == s.steal - s.sc2)
        #expect(g2.syscallBlockTime == s.se2 - s.steal)
        #expect(g2.blockTimeByReason.isEmpty && g2.totalTime == s.f2 - s.c2 && g2.unknownTime == 0)
        let syn = try #require(g2.regions.first)
        #expect(g2.regions.count == 1 && syn.isSynthetic && syn.taskID == 5 && syn.start?.time == s.c2)
        #expect(syn.end?.time == s.f2 && syn.stats == g2.stats)

        let g3 = try #require(sum.goroutines[3])
        #expect(g3.creationTime == s.s1 && g3.startTime == nil && g3.name == "" && g3.isSystem)
        #expect(g3.blockTimeByReason == ["": s.end - s.s1])

        // The snapshot quirk: a blocked syscall at the end counts as syscall *and* sched wait.
        let g4 = try #require(sum.goroutines[4])
        #expect(g4.creationTime == s.s2)
        #expect(g4.syscallTime == s.end - s.sc4)
        #expect(g4.schedWaitTime == s.end - s.steal4)
        #expect(g4.syscallBlockTime == 0)
        #expect(g4.execTime + g4.syscallTime + g4.schedWaitTime > g4.totalTime && g4.unknownTime == 0)

        let task = try #require(sum.tasks[5])
        #expect(task.goroutines == [1] && task.regions.count == 1 && task.name == "" && !task.isComplete)
        #expect(task.interval(traceStart: s.s1, traceEnd: s.end) == (s.s1, s.end))
        #expect(sum.descendants(of: 5).map(\.id) == [5])
    }

    @Test func tasksAndLogs() throws {
        var t = SyntheticTrace()
        t.sync(1)
        t.go(1, .undetermined, .running, p: 0)
        t.add(.taskBegin, g: 1, p: 0, .task(Task(id: 2, parent: 1, type: "inner")))
        t.add(.log, g: 1, p: 0, .log(Log(task: 2, category: "c", message: "m")))
        t.add(.log, g: 1, p: 0, .log(Log(task: 0, category: "", message: "no task")))
        t.add(.taskEnd, g: 1, p: 0, .task(Task(id: 2, parent: 1, type: "inner")))
        t.add(.regionEnd, g: 1, p: 0, .region(Region(task: 3, type: "orphan"))) // end without begin
        t.sync(2)
        let summarizer = GoroutineSummarizer()
        for e in t.events { summarizer.feed(e) }
        let sum = summarizer.finalize()
        #expect(Set(sum.tasks.keys) == [0, 1, 2, 3])
        let inner = try #require(sum.tasks[2])
        #expect(inner.isComplete && inner.parent == 1 && inner.logs.count == 1 && inner.goroutines == [1])
        #expect(sum.tasks[1]?.children == [2] && sum.tasks[1]?.name == "")
        #expect(sum.tasks[0]?.logs.first?.log?.message == "no task")
        #expect(sum.descendants(of: 1).map(\.id) == [1, 2])
        let orphan = try #require(sum.goroutines[1]?.regions.first)
        #expect(orphan.start == nil && orphan.name == "orphan" && orphan.taskID == 3)
        #expect(sum.tasks[3]?.regions.count == 1 && sum.tasks[3]?.goroutines == [1])
    }

    @Test func profiles() throws {
        let s = Scenario()
        let summarizer = GoroutineSummarizer(), builder = ProfileBuilder()
        for e in s.t.events { summarizer.feed(e); builder.feed(e) }
        let profiles = builder.finalize(summary: summarizer.finalize())
        let byKind = Dictionary(uniqueKeysWithValues: profiles.map { ($0.kind, $0) })

        // sched: g2's wait before its first run is clipped away; its wait after the blocked
        // syscall (no stack), g1's wait after g2 unblocked it (g2's stack) and g1's preemption
        // (its own stack) count.
        let sched = try #require(byKind[.sched])
        #expect(sched.samplesWithZeroOverlap == 1)
        #expect(sched.samplesOpenAtEnd == 0)
        let noStack = try #require(sched.records.first { $0.frames.isEmpty })
        #expect(noStack.count == 1 && noStack.time == s.r2b - s.se2)
        let unblocked = try #require(sched.records.first { $0.frames.first?.function == "main.send" })
        #expect(unblocked.count == 1 && unblocked.time == s.r1 - s.u1)
        let preempted = try #require(sched.records.first { $0.frames.first?.function == "main.f" })
        #expect(preempted.count == 1 && preempted.time == s.run1 - s.pre1 && sched.records.count == 3)

        // block: g1's chan receive, with g1's own stack.
        let block = try #require(byKind[.block])
        #expect(block.records.count == 1 && block.totalTime == s.u1 - s.b1 && block.records[0].frames.last?.function == "main.main")

        // syscall: g2's syscall including the blocked part; g4's is open at the end (dropped).
        let sys = try #require(byKind[.syscall])
        #expect(sys.totalTime == s.se2 - s.sc2 && sys.totalCount == 1 && sys.samplesOpenAtEnd == 1)
        #expect(byKind[.io]?.records.isEmpty == true)
        #expect(profiles.map(\.kind) == ProfileKind.allCases)
        #expect(ProfileKind.block.tracks(reason: "sync.(*Cond).Wait") && ProfileKind.block.tracks(reason: "select")
                && !ProfileKind.block.tracks(reason: "sleep"))
        // Go's strings.Contains matches bytes: a combining mark after "chan" does not hide it (it would
        // from String.contains, which compares Characters), and nothing matches across a letter.
        #expect(ProfileKind.block.tracks(reason: "chan\u{301} receive") && ProfileKind.isSynchronization(reason: "xselecty")
                && !ProfileKind.isSynchronization(reason: "cha n") && !ProfileKind.block.tracks(reason: "network"))
    }

    /// Records are merged by PC list, even across generations (different stack ids).
    @Test func profileStacksMergeByPCs() throws {
        var t = SyntheticTrace()
        t.sync(1)
        t.go(1, .undetermined, .running, p: 0)
        t.go(1, .running, .runnable, by: 1, p: 0, stack: stack(7, gen: 1, ["a", "b"], pcBase: 0x1000))
        t.go(1, .runnable, .running, p: 0)
        t.sync(2)
        t.go(1, .running, .runnable, by: 1, p: 0, stack: stack(3, gen: 2, ["a", "b"], pcBase: 0x1000))
        t.go(1, .runnable, .running, p: 0)
        t.go(1, .running, .runnable, by: 1, p: 0, stack: stack(4, gen: 2, ["a", "c"], pcBase: 0x2000))
        t.go(1, .runnable, .running, p: 0)
        let summarizer = GoroutineSummarizer(), builder = ProfileBuilder(kinds: [.sched])
        for e in t.events { summarizer.feed(e); builder.feed(e) }
        let sched = try #require(builder.finalize(summary: summarizer.finalize()).first)
        #expect(sched.records.count == 2)
        #expect(sched.records.map(\.count).sorted() == [1, 2])
        #expect(sched.records.first { $0.count == 2 }?.pcs == [0x1000, 0x1001])
    }

    @Test func ranges() throws {
        var t = SyntheticTrace()
        t.sync(1)
        let start = t.time
        t.range(.rangeActive, "GC concurrent mark phase", scope: .none)
        let active = t.time
        t.range(.rangeBegin, "stop-the-world (GC mark termination)", scope: .goroutine(4), g: 4, p: 0)
        let stwBegin = t.time
        t.range(.rangeEnd, "stop-the-world (GC mark termination)", scope: .goroutine(4), g: 4, p: 0)
        let stwEnd = t.time
        t.range(.rangeEnd, "GC concurrent mark phase", scope: .none)
        let gcEnd = t.time
        t.sync(2)
        t.range(.rangeActive, "GC mark assist", scope: .goroutine(9)) // second generation: ignored
        t.range(.rangeEnd, "GC incremental sweep", scope: .proc(1), p: 1) // no begin
        let sweepEnd = t.time
        t.range(.rangeBegin, "stop-the-world (start trace)", scope: .goroutine(1), g: 1)
        let openBegin = t.time
        t.sync(3)
        let end = t.time
        let tracker = RangeTracker()
        for e in t.events { tracker.feed(e) }
        let ranges = tracker.finalize()
        #expect(ranges.count == 4)
        #expect(ranges[0].startKind == .none && ranges[0].endTime == sweepEnd && ranges[0].duration == nil && ranges[0].scopeID == 1)
        #expect(ranges[1].isGCCycle && ranges[1].startKind == .active && ranges[1].startTime == start
                && ranges[1].activeEventTime == active && ranges[1].endTime == gcEnd && ranges[1].scopeID == -1)
        #expect(ranges[2].stopTheWorldReason == "GC mark termination" && ranges[2].isGCStopTheWorld
                && ranges[2].startTime == stwBegin && ranges[2].duration == stwEnd - stwBegin)
        #expect(ranges[3].endKind == .traceEnd && ranges[3].startTime == openBegin && ranges[3].endTime == end
                && !ranges[3].isGCStopTheWorld && ranges[3].stopTheWorldReason == "start trace")
    }

    @Test func relatedGoroutines() {
        var t = SyntheticTrace()
        t.sync(1)
        t.go(1, .waiting, .runnable, by: 2, p: 0)   // 2 unblocked 1
        t.go(2, .waiting, .runnable, by: 3, p: 0)   // 3 unblocked 2
        t.go(3, .waiting, .runnable, by: 4, p: 0)   // 4 unblocked 3: three hops from 1
        t.go(5, .waiting, .waiting, by: 6, p: 0)    // not a change
        t.go(1, .runnable, .running, by: 7, p: 0)   // not out of Waiting
        t.go(8, .waiting, .runnable, p: 0)          // no goroutine running
        let r = RelatedGoroutines()
        for e in t.events { r.feed(e) }
        #expect(r.related(to: 1) == [1, 2, 3])
        #expect(r.related(to: 5) == [5])
        #expect(r.related(to: 8) == [8])
    }

    @Test func systemGoroutines() {
        #expect(isSystemGoroutine(""))
        #expect(isSystemGoroutine("runtime.gcBgMarkWorker"))
        #expect(!isSystemGoroutine("runtime.main"))
        #expect(!isSystemGoroutine("runtime/trace.Start.func1"))
        #expect(!isSystemGoroutine("main.main"))
    }
}
