// contention: the classic blocking primitives, each in its own phase.
//
// In the trace (block reasons as the runtime names them):
//  1. sync.Mutex contention: 4 goroutines x 200 lock/unlock of a mutex held
//     while hashing → Waiting "sync" with GoUnblock stacks in sync.(*Mutex).Unlock;
//  2. unbuffered channel ping-pong: 200 round trips between two goroutines →
//     "chan send" / "chan receive";
//  3. select over three channels fed by three producers (100 messages each) and
//     a quit channel → "select";
//  4. sync.Cond: 5 waiters in cond.Wait, woken together by Broadcast, 3 rounds →
//     "sync.(*Cond).Wait";
//  5. sync.WaitGroup waits after every phase (main Waiting "sync") and
//     time.Sleep (1 ms) between phases → "sleep".
package main

import (
	"crypto/sha256"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

var sink [32]byte

func hash(n int) {
	var buf [512]byte
	for i := 0; i < n; i++ {
		buf[0] = byte(i)
		sink = sha256.Sum256(buf[:])
	}
}

func mutexPhase() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	counter := 0
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				mu.Lock()
				counter++
				hash(16)
				mu.Unlock()
				hash(2)
			}
		}()
	}
	wg.Wait()
	if counter != 800 {
		panic("bad counter")
	}
}

func pingPongPhase() {
	ping := make(chan int)
	pong := make(chan int)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for v := range ping {
			pong <- v + 1
		}
		close(pong)
	}()
	for i := 0; i < 200; i++ {
		ping <- i
		if <-pong != i+1 {
			panic("bad pong")
		}
	}
	close(ping)
	<-pong
	wg.Wait()
}

func selectPhase() {
	a, b, c := make(chan int), make(chan int), make(chan int)
	quit := make(chan struct{})
	var producers sync.WaitGroup
	for _, ch := range []chan int{a, b, c} {
		producers.Add(1)
		go func(ch chan int) {
			defer producers.Done()
			for i := 0; i < 100; i++ {
				ch <- i
				if i%10 == 0 {
					time.Sleep(100 * time.Microsecond)
				}
			}
		}(ch)
	}
	go func() {
		producers.Wait()
		close(quit)
	}()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		n := 0
		for {
			select {
			case <-a:
				n++
			case <-b:
				n++
			case <-c:
				n++
			case <-quit:
				if n != 300 {
					panic("lost messages")
				}
				return
			}
		}
	}()
	wg.Wait()
}

func condPhase() {
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	round := 0
	var wg sync.WaitGroup
	for w := 0; w < 5; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seen := 0; seen < 3; {
				mu.Lock()
				for round == seen {
					cond.Wait()
				}
				seen = round
				mu.Unlock()
				hash(2)
			}
		}()
	}
	for r := 1; r <= 3; r++ {
		time.Sleep(time.Millisecond)
		mu.Lock()
		round = r
		cond.Broadcast()
		mu.Unlock()
	}
	wg.Wait()
}

func main() {
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	if err := trace.Start(f); err != nil {
		panic(err)
	}

	mutexPhase()
	time.Sleep(time.Millisecond)
	pingPongPhase()
	time.Sleep(time.Millisecond)
	selectPhase()
	time.Sleep(time.Millisecond)
	condPhase()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
