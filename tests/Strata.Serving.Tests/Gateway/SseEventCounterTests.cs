using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Strata.Serving.Gateway.Forwarding;

namespace Strata.Serving.Tests.Gateway;

public sealed class SseEventCounterTests
{
    private const string Stream = "data: {\"a\":1}\n\n: keep-alive comment\n\ndata: {\"a\":2}\r\n\r\nevent: x\ndata: {\"a\":3}\ndata: more\n\ndata: [DONE]\n\n";

    [Fact]
    public void Counts_data_events_but_not_comments_or_the_done_marker()
    {
        var counter = new SseEventCounter();
        Assert.Equal(3, counter.Feed(Encoding.UTF8.GetBytes(Stream)));
        Assert.False(counter.InsideEvent);
    }

    [Fact]
    public void Knows_when_a_stream_stopped_inside_an_event()
    {
        var counter = new SseEventCounter();
        Assert.Equal(1, counter.Feed("data: {\"a\":1}\n\ndata: {\"a\""u8));
        Assert.True(counter.InsideEvent);
    }

    [Property]
    public Property The_count_does_not_depend_on_how_the_stream_is_split_into_reads() =>
        Prop.ForAll(Gen.ListOf(Gen.Choose(1, 20)).ToArbitrary(), cuts =>
        {
            var bytes = Encoding.UTF8.GetBytes(Stream);
            var counter = new SseEventCounter();
            var (count, at) = (0, 0);
            foreach (var cut in cuts)
            {
                var length = Math.Min(cut, bytes.Length - at);
                count += counter.Feed(bytes.AsSpan(at, length));
                at += length;
            }
            count += counter.Feed(bytes.AsSpan(at));
            return count == 3 && !counter.InsideEvent;
        });
}
