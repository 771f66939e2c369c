// netfile: network and file I/O.
//
// In the trace:
//   - a TCP echo server on 127.0.0.1:0 (listener goroutine + one handler per
//     connection) and 2 client goroutines that each dial and exchange 20
//     request/response messages → goroutines Waiting "network" in the netpoller
//     (Read/Accept) and woken by the netpoller (GoUnblock with no stack),
//     plus short syscalls for connect/write/read;
//   - file syscalls on a temp file: create, 10 x (write 64 KiB), fsync, seek,
//     read back, close, remove → Syscall states (fsync is the long one).
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime/trace"
	"sync"
)

const (
	clients  = 2
	messages = 20
)

func server(ln net.Listener, done chan<- struct{}) {
	var wg sync.WaitGroup
	for i := 0; i < clients; i++ {
		c, err := ln.Accept()
		if err != nil {
			panic(err)
		}
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				if err == io.EOF {
					return
				}
				if err != nil {
					panic(err)
				}
				if _, err := c.Write([]byte("echo " + line)); err != nil {
					panic(err)
				}
			}
		}(c)
	}
	wg.Wait()
	close(done)
}

func client(addr string, id int) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		panic(err)
	}
	r := bufio.NewReader(c)
	for i := 0; i < messages; i++ {
		if _, err := fmt.Fprintf(c, "client %d message %d\n", id, i); err != nil {
			panic(err)
		}
		if _, err := r.ReadString('\n'); err != nil {
			panic(err)
		}
	}
	c.Close()
}

func fileIO() {
	dir, err := os.MkdirTemp("", "netfile")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	name := filepath.Join(dir, "data.bin")
	fh, err := os.Create(name)
	if err != nil {
		panic(err)
	}
	block := make([]byte, 64<<10)
	for i := range block {
		block[i] = byte(i)
	}
	for i := 0; i < 10; i++ {
		if _, err := fh.Write(block); err != nil {
			panic(err)
		}
	}
	if err := fh.Sync(); err != nil {
		panic(err)
	}
	if _, err := fh.Seek(0, io.SeekStart); err != nil {
		panic(err)
	}
	n, err := io.Copy(io.Discard, fh)
	if err != nil || n != 10*64<<10 {
		panic(fmt.Sprint("short read ", n, err))
	}
	if err := fh.Close(); err != nil {
		panic(err)
	}
	if err := os.Remove(name); err != nil {
		panic(err)
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

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	done := make(chan struct{})
	go server(ln, done)
	var wg sync.WaitGroup
	for id := 0; id < clients; id++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			client(ln.Addr().String(), id)
		}(id)
	}
	fileIO()
	wg.Wait()
	<-done
	ln.Close()

	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
