using System.Buffers.Binary;

namespace SharingPlatform.Tests.Infrastructure;

/// <summary>How one PullChanges response is broken.</summary>
public enum StreamFault
{
    None,

    /// <summary>The first message arrives whole, then two bytes of the next, then the connection is reset.</summary>
    DropAfterFirstMessage,

    /// <summary>The response starts, and not one byte more arrives.</summary>
    Stall,
}

/// <summary>
/// The in-process server's transport with chosen PullChanges responses broken the way networks break them: the
/// n-th PullChanges call gets the n-th fault. Every other request (tokens, other calls) passes untouched.
/// </summary>
public sealed class FaultyTransport(HttpMessageHandler server, params StreamFault[] faults) : DelegatingHandler(server)
{
    private int _pulls;

    /// <summary>PullChanges calls made so far.</summary>
    public int Pulls => Volatile.Read(ref _pulls);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (request.RequestUri?.AbsolutePath != "/sharing.v1.CaseService/PullChanges")
        {
            return response;
        }

        var index = Interlocked.Increment(ref _pulls) - 1;
        if (index >= faults.Length || faults[index] == StreamFault.None)
        {
            return response;
        }

        var broken = new StreamContent(new BrokenStream(await response.Content.ReadAsStreamAsync(cancellationToken), faults[index]));
        foreach (var header in response.Content.Headers)
        {
            broken.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = broken;
        return response;
    }

    private sealed class BrokenStream(Stream inner, StreamFault fault) : Stream
    {
        private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private byte[]? _delivered;
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (fault == StreamFault.Stall)
            {
                await _closed.Task.WaitAsync(cancellationToken);
                throw new IOException("The connection was closed.");
            }

            if (_delivered is null)
            {
                // One whole gRPC frame (5-byte prefix with its length, then the message) and two bytes of the next.
                var prefix = new byte[5];
                await inner.ReadExactlyAsync(prefix, cancellationToken);
                var length = BinaryPrimitives.ReadInt32BigEndian(prefix.AsSpan(1));
                _delivered = new byte[5 + length + 2];
                prefix.CopyTo(_delivered, 0);
                var read = await inner.ReadAtLeastAsync(_delivered.AsMemory(5), length + 2, throwOnEndOfStream: false, cancellationToken);
                Array.Resize(ref _delivered, 5 + read);
                // The connection is gone: the server's side of the call is aborted.
                await inner.DisposeAsync();
            }

            if (_offset == _delivered.Length)
            {
                throw new IOException("The connection was reset.");
            }

            var count = Math.Min(buffer.Length, _delivered.Length - _offset);
            _delivered.AsMemory(_offset, count).CopyTo(buffer);
            _offset += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _closed.TrySetResult();
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
