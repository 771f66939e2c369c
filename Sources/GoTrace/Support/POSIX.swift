#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// read(2) and write(2) by a name no method shadows, on every platform the package builds for
// (calling them as `Glibc.read` only compiles where the C library is Glibc).

/// `read(2)`: bytes read, 0 at the end, -1 with `errno` set.
@inlinable @inline(__always)
package func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

/// `write(2)`: bytes written, -1 with `errno` set.
@inlinable @inline(__always)
package func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
