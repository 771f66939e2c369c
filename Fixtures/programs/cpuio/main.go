// cpuio: CPU-bound busy loops on a few goroutines beside 100 goroutines that
// mostly wait: 50 sleep in a loop, 40 read from os.Pipe pipes (parked in the
// netpoller) and 10 read from raw blocking pipes with syscall.Read (real
// blocking syscalls that make the runtime hand their P off).
//
// In the trace: 3 main.spin goroutines that are Running/Runnable almost all
// the time (preempted every ~10 ms, so the two Ps are saturated and the
// waiters see scheduling latency), 50 main.sleeper goroutines blocked on
// "sleep", 40 main.pipeReader goroutines blocked on "network" (I/O wait), 10
// main.syscallReader goroutines in long Syscall states, and a main.feeder
// goroutine that writes one byte into every pipe each round.
package main

import (
	"os"
	"runtime/trace"
	"sync"
	"syscall"
	"time"
)

const (
	nSpinners   = 3
	spinIters   = 60_000_000 // roughly 100 ms of CPU per spinner
	nSleepers   = 50
	nPipes      = 40
	nRawPipes   = 10
	rounds      = 5
	sleepPeriod = 4 * time.Millisecond
)

var sink uint64

func spin(n int) uint64 {
	x := uint64(88172645463325252)
	for i := 0; i < n; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	var wg sync.WaitGroup
	var mu sync.Mutex

	// CPU-bound goroutines.
	for i := 0; i < nSpinners; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := spin(spinIters)
			mu.Lock()
			sink ^= v
			mu.Unlock()
		}()
	}

	// Sleepers.
	for i := 0; i < nSleepers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				time.Sleep(sleepPeriod)
			}
		}()
	}

	// Readers of os.Pipe pipes (non-blocking fds, parked in the netpoller).
	writers := make([]*os.File, 0, nPipes)
	for i := 0; i < nPipes; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			panic(err)
		}
		writers = append(writers, w)
		wg.Add(1)
		go func(r *os.File) {
			defer wg.Done()
			buf := make([]byte, 1)
			for n := 0; n < rounds; n++ {
				if _, err := r.Read(buf); err != nil {
					panic(err)
				}
			}
			r.Close()
		}(r)
	}

	// Readers of raw blocking pipes (blocking read(2) in a syscall).
	rawWriters := make([]int, 0, nRawPipes)
	for i := 0; i < nRawPipes; i++ {
		var p [2]int
		if err := syscall.Pipe(p[:]); err != nil {
			panic(err)
		}
		rawWriters = append(rawWriters, p[1])
		wg.Add(1)
		go func(fd int) {
			defer wg.Done()
			buf := make([]byte, 1)
			for n := 0; n < rounds; n++ {
				if _, err := syscall.Read(fd, buf); err != nil {
					panic(err)
				}
			}
			syscall.Close(fd)
		}(p[0])
	}

	// Feeder: one byte per pipe per round.
	wg.Add(1)
	go func() {
		defer wg.Done()
		one := []byte{1}
		for r := 0; r < rounds; r++ {
			time.Sleep(sleepPeriod)
			for _, w := range writers {
				if _, err := w.Write(one); err != nil {
					panic(err)
				}
			}
			for _, fd := range rawWriters {
				if _, err := syscall.Write(fd, one); err != nil {
					panic(err)
				}
			}
		}
	}()

	wg.Wait()
	for _, w := range writers {
		w.Close()
	}
	for _, fd := range rawWriters {
		syscall.Close(fd)
	}

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
