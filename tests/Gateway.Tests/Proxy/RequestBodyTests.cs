using DosAi.Orleans.Gateway.Proxy;
using Microsoft.AspNetCore.Http;

namespace DosAi.Orleans.Gateway.Tests.Proxy;

public sealed class RequestBodyTests
{
    private const int Limit = 1024 * 1024;

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(RequestBody.FirstBufferBytes, true)]
    [InlineData(RequestBody.FirstBufferBytes + 1, true)]
    [InlineData(300_000, true)]
    [InlineData(Limit, true)]
    [InlineData(0, false)]
    [InlineData(RequestBody.FirstBufferBytes + 1, false)]
    [InlineData(Limit, false)]
    public async Task A_body_within_the_limit_is_read_whole_in_whatever_pieces_it_arrives(int length, bool declared)
    {
        var sent = new byte[length];
        Random.Shared.NextBytes(sent);

        var body = await RequestBody.ReadAsync(Request(sent, declared ? length : null), Limit);

        Assert.Equal(sent, body);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_body_over_the_limit_is_refused(bool declared)
    {
        var sent = new byte[Limit + 1];

        Assert.Null(await RequestBody.ReadAsync(Request(sent, declared ? sent.Length : null), Limit));
    }

    [Fact]
    public async Task A_declared_length_gets_memory_only_as_its_bytes_arrive()
    {
        var context = Request(new byte[1000], declaredLength: Limit);

        var before = GC.GetAllocatedBytesForCurrentThread();
        await Assert.ThrowsAsync<EndOfStreamException>(() => RequestBody.ReadAsync(context, Limit));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < 4 * RequestBody.FirstBufferBytes, $"{allocated} bytes allocated for a body that sent 1,000 of its declared {Limit}");
    }

    private static DefaultHttpContext Request(byte[] sent, long? declaredLength)
    {
        var context = new DefaultHttpContext();
        context.Request.ContentLength = declaredLength;
        context.Request.Body = new TrickleStream(sent);
        return context;
    }

    /// <summary>Hands out its bytes in pieces of varying size, completed at once, as a network read would.</summary>
    private sealed class TrickleStream(byte[] bytes) : Stream
    {
        private int position;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var count = Math.Min(Math.Min(buffer.Length, 1 + position % 7919), bytes.Length - position);
            bytes.AsMemory(position, count).CopyTo(buffer);
            position += count;
            return ValueTask.FromResult(count);
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
