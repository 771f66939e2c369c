// flightrec: a runtime/trace.FlightRecorder snapshot (Go 1.25+), as a service writes one when
// something goes wrong ("the last seconds before the incident").
//
// The program starts a flight recorder (MinAge 100 ms, MaxBytes 256 KiB), then 3 workers fed over
// an unbuffered channel and a goroutine that blocks on a channel for the whole run. For about 2.5 s
// main sends a request every 2 ms (each worker hashes 4 KiB per request); then an "incident" (one
// slow request, 20 ms of hashing on main) and main writes the recorder's window to os.Args[1] with
// FlightRecorder.WriteTo, stops it and exits.
//
// In the trace: the runtime ends a generation about every second and the recorder drops the
// generations older than its window, so the snapshot starts mid-flight: the workers, the blocked
// goroutine and main already exist (first seen in a status event of the first kept generation, no
// GoCreate), they are running, runnable or waiting (`chan receive`) at its start, and the trace
// covers only the last ~1-2 s of the run. It ends with the slow request (region "incident").
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

func hash(n int) {
	buf := make([]byte, 4096)
	for i := 0; i < n; i++ {
		buf[0] = byte(i)
		sink = sha256.Sum256(buf)
	}
}

func worker(work <-chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for range work {
		hash(1)
	}
}

func main() {
	fr := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: 100 * time.Millisecond, MaxBytes: 256 << 10})
	if err := fr.Start(); err != nil {
		panic(err)
	}

	work := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go worker(work, &wg)
	}
	never := make(chan struct{})
	blocked := make(chan struct{})
	go func() {
		<-never
		close(blocked)
	}()

	deadline := time.Now().Add(2500 * time.Millisecond)
	for i := 0; time.Now().Before(deadline); i++ {
		work <- i
		time.Sleep(2 * time.Millisecond)
	}

	// The incident: a slow request, then the snapshot of the last moments.
	trace.WithRegion(context.Background(), "incident", func() {
		start := time.Now()
		for time.Since(start) < 20*time.Millisecond {
			hash(16)
		}
	})
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if _, err := fr.WriteTo(f); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
	fr.Stop()

	close(work)
	wg.Wait()
	close(never)
	<-blocked
}
