// tasks: runtime/trace user annotations.
//
// In the trace:
//   - task "request" (ended) with a child task "child" (ended), which has a
//     grandchild task "grandchild" (ended): three levels of nested tasks;
//   - task "unfinished" (child of "request"): begun, never ended (TaskEnd
//     missing, so its end is the trace end);
//   - regions "outer" ⊃ "inner" ⊃ "innermost" (nested WithRegion and
//     StartRegion/End) on the main goroutine, repeated a fixed number of times;
//   - trace.Log and trace.Logf events in several tasks (categories "phase",
//     "progress", "worker", "result"), and one Log with no task
//     (category "global", task 0);
//   - 4 main.main.func* goroutines created inside region "fanout" of task
//     "child": they inherit the task (the Summarizer gives each a synthetic
//     region), and each runs its own "work" region and Logf's in task "child";
//   - a goroutine that begins region "leaked" and exits without ending it (the
//     region ends at the goroutine's death);
//   - region "open-at-end" on main, begun in task "unfinished" and still open
//     when the trace stops (no RegionEnd), plus a goroutine blocked forever
//     inside region "blocked-open" at trace end.
package main

import (
	"context"
	"crypto/sha256"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

var sink [32]byte

func work(n int) {
	buf := make([]byte, 4096)
	for i := 0; i < n; i++ {
		buf[0] = byte(i)
		sink = sha256.Sum256(buf)
	}
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	trace.Log(context.Background(), "global", "log outside any task")

	ctx, request := trace.NewTask(context.Background(), "request")
	trace.Log(ctx, "phase", "start")

	// Nested regions on main, in task "request".
	for i := 0; i < 3; i++ {
		trace.WithRegion(ctx, "outer", func() {
			work(20)
			trace.WithRegion(ctx, "inner", func() {
				r := trace.StartRegion(ctx, "innermost")
				work(20)
				r.End()
				trace.Logf(ctx, "progress", "iteration %d", i)
			})
		})
	}

	// Child task; goroutines created inside a region inherit the task.
	cctx, child := trace.NewTask(ctx, "child")
	trace.Log(cctx, "phase", "fan-out")
	var wg sync.WaitGroup
	trace.WithRegion(cctx, "fanout", func() {
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				trace.WithRegion(cctx, "work", func() {
					work(30 + 10*w)
					time.Sleep(time.Millisecond)
					trace.Logf(cctx, "worker", "worker %d done", w)
				})
			}(w)
		}
		wg.Wait()
	})

	// Grandchild task, begun on main and ended on another goroutine.
	gctx, grandchild := trace.NewTask(cctx, "grandchild")
	done := make(chan struct{})
	go func() {
		trace.WithRegion(gctx, "grandchild-work", func() {
			work(25)
		})
		trace.Log(gctx, "result", "ok")
		grandchild.End()
		close(done)
	}()
	<-done
	child.End()

	// A goroutine that exits with a region still open.
	wg.Add(1)
	go func() {
		defer wg.Done()
		trace.StartRegion(ctx, "leaked") // never ended
		work(10)
	}()
	wg.Wait()

	trace.Log(ctx, "phase", "end")
	request.End()

	// A task that is never ended, and regions open at trace end.
	uctx, _ := trace.NewTask(ctx, "unfinished")
	trace.Log(uctx, "phase", "unfinished begins")
	started := make(chan struct{})
	block := make(chan struct{}) // never closed
	go func() {
		trace.StartRegion(uctx, "blocked-open")
		close(started)
		<-block
	}()
	<-started
	open := trace.StartRegion(uctx, "open-at-end")
	work(10)

	trace.Stop()
	open.End() // after Stop: not in the trace
	if err := f.Close(); err != nil {
		panic(err)
	}
}
