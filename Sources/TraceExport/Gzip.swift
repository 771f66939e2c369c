import CZlib
import Foundation
import TraceWarehouse

/// gzip (RFC 1952) through the system zlib: pprof profiles are gzipped protobufs.
public enum Gzip {
    /// Compresses `data` into one gzip member.
    public static func compress(_ data: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        guard tracedb_deflate_init_gzip(&stream, level) == Z_OK else { throw WarehouseError("zlib: deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(data.count))) + 32)
        var input = data
        let rc: Int32 = input.withUnsafeMutableBufferPointer { inBuf in
            out.withUnsafeMutableBufferPointer { outBuf in
                stream.next_in = inBuf.baseAddress
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END else { throw WarehouseError("zlib: deflate failed (\(rc))") }
        out.removeSubrange(Int(stream.total_out)...)
        return out
    }

    /// Decompresses a gzip (or zlib) stream; concatenated gzip members are read one after the other.
    public static func decompress(_ data: [UInt8]) throws -> [UInt8] {
        var result: [UInt8] = []
        var offset = 0
        var input = data
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while offset < input.count {
            var stream = z_stream()
            guard tracedb_inflate_init_auto(&stream) == Z_OK else { throw WarehouseError("zlib: inflateInit2 failed") }
            defer { inflateEnd(&stream) }
            var rc: Int32 = Z_OK
            let consumed: Int = try input.withUnsafeMutableBufferPointer { inBuf in
                stream.next_in = inBuf.baseAddress! + offset
                stream.avail_in = uInt(inBuf.count - offset)
                repeat {
                    let produced: Int = chunk.withUnsafeMutableBufferPointer { c in
                        stream.next_out = c.baseAddress
                        stream.avail_out = uInt(c.count)
                        rc = inflate(&stream, Z_NO_FLUSH)
                        return c.count - Int(stream.avail_out)
                    }
                    if rc != Z_OK && rc != Z_STREAM_END { throw WarehouseError("zlib: not a valid gzip stream (\(rc))") }
                    result.append(contentsOf: chunk[0..<produced])
                    if rc == Z_OK && stream.avail_in == 0 && produced == 0 { throw WarehouseError("zlib: gzip stream is truncated") }
                } while rc != Z_STREAM_END
                return Int(stream.total_in)
            }
            offset += consumed
        }
        return result
    }

    /// True if `data` starts with the gzip magic bytes.
    public static func isGzip(_ data: [UInt8]) -> Bool { data.count >= 2 && data[0] == 0x1f && data[1] == 0x8b }
}
