import Foundation

/// Runs a loader's SQLite writes on a thread of their own, in order, while the caller goes on
/// parsing: on two cores an ingest takes about as long as the slower of the two halves instead of
/// their sum.
///
/// Every write of the streaming phase goes through one queue (``BatchInserter`` chunks and
/// ``perform(_:)`` closures), so the connection is only ever used by one thread at a time and the rows
/// reach SQLite in the order they were produced. The queue is bounded: a producer that runs ahead
/// waits, so memory stays at `capacity` chunks. The first error a write throws (a full disk, …) is
/// kept, later jobs are skipped, and it is rethrown by the next ``submit`` and by ``finish()``.
///
/// After ``finish()`` the queue runs every job inline on the caller's thread.
final class WriteQueue: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is guarded by `cond`; jobs touch the SQLite connection,
    // which only the worker uses until `finish()` has joined it.
    /// A job is called once with `true` to run, or with `false` when it is skipped after an earlier
    /// failure (so it can still free what it owns).
    typealias Job = (_ run: Bool) throws -> Void

    private let cond = NSCondition()
    private var jobs: [Job?]
    private var head = 0, count = 0
    private var busy = false
    private var stopping = false
    private var failure: Error?
    private var started = false
    private(set) var inline = false
    private let done = DispatchSemaphore(value: 0)
    /// CPU seconds the worker thread used (set when it stops).
    private(set) var workerCPUSeconds: Double = 0

    /// Spare chunk buffers handed back by the worker, so producers do not allocate per chunk.
    private var spare: [(UnsafeMutablePointer<Int64>, Int)] = []

    private let threadName: String

    /// `threadName`: the worker thread's name. (The queue runs any jobs: the loader also feeds Go's
    /// analyses through one, on a thread of their own.)
    init(capacity: Int = 32, threadName: String = "tracedb-sqlite-writer") {
        jobs = Array(repeating: nil, count: max(capacity, 1))
        self.threadName = threadName
    }

    /// A queue that runs every job at once on the caller's thread (no worker).
    static func inline() -> WriteQueue {
        let q = WriteQueue(capacity: 1)
        q.inline = true
        return q
    }

    /// Starts the worker thread.
    func start() {
        guard !inline, !started else { return }
        started = true
        let t = Thread { [self] in self.work() }
        t.name = threadName
        t.stackSize = 1 << 20
        t.start()
    }

    /// Queues `job` (or runs it now once the queue is inline). Throws the first error of an earlier job.
    func submit(_ job: @escaping Job) throws {
        if inline { try job(true); return }
        cond.lock()
        while count == jobs.count && failure == nil { cond.wait() }
        if let failure { cond.unlock(); throw failure }
        jobs[(head + count) % jobs.count] = job
        count += 1
        cond.broadcast()
        cond.unlock()
    }

    /// Same as ``submit(_:)``: a single write of a rare row.
    @inline(__always) func perform(_ job: @escaping () throws -> Void) throws {
        try submit { run in if run { try job() } }
    }

    /// Waits until every queued job has run, stops the worker and makes the queue inline. Rethrows
    /// the first error of a job.
    func finish() throws {
        if !inline {
            if started {
                cond.lock()
                stopping = true
                cond.broadcast()
                cond.unlock()
                done.wait()
            }
            inline = true
        }
        cond.lock(); let f = failure; cond.unlock()
        if let f { throw f }
    }

    /// A buffer of `count` values (uninitialized), recycled when possible. Give it back with
    /// ``recycle(_:count:)``; buffers still here are freed with the queue.
    func buffer(count n: Int) -> UnsafeMutablePointer<Int64> {
        cond.lock()
        if let i = spare.lastIndex(where: { $0.1 == n }) {
            let b = spare.remove(at: i).0
            cond.unlock()
            return b
        }
        cond.unlock()
        let b = UnsafeMutablePointer<Int64>.allocate(capacity: n)
        b.initialize(repeating: 0, count: n)
        return b
    }

    func recycle(_ b: UnsafeMutablePointer<Int64>, count n: Int) {
        cond.lock()
        if spare.count < 16 { spare.append((b, n)); cond.unlock(); return }
        cond.unlock()
        b.deallocate()
    }

    deinit {
        for (b, _) in spare { b.deallocate() }
    }

    private func work() {
        while true {
            cond.lock()
            while count == 0 && !stopping { cond.wait() }
            if count == 0 && stopping { cond.unlock(); break }
            let job = jobs[head]!
            jobs[head] = nil
            head = (head + 1) % jobs.count
            count -= 1
            let skip = failure != nil
            cond.broadcast()
            cond.unlock()
            do { try job(!skip) } catch {
                cond.lock()
                if failure == nil { failure = error }
                cond.broadcast()
                cond.unlock()
            }
        }
        var ts = timespec()
        if clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0 {
            workerCPUSeconds = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        done.signal()
    }
}
