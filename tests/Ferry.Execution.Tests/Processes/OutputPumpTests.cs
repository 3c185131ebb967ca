using Ferry.Execution.Processes;

namespace Ferry.Execution.Tests.Processes;

/// <summary>A process's output passed on line by line with a bounded line: a run printing one huge line costs no more than a line's worth.</summary>
public sealed class OutputPumpTests
{
    [Fact]
    public async Task Lines_PassedOnWithoutTheirEnds_CrLfToo_LastLineWithoutNewline()
    {
        var lines = await PumpAsync("one\ntwo\r\n\nlast");
        Assert.Equal(["one", "two", "", "last"], lines);
    }

    [Fact]
    public async Task LineLongerThanTheCap_ComesInPiecesOfTheCap_NothingLost()
    {
        var huge = new string('x', (WorkerProcess.MaxLineChars * 3) + 10);
        var lines = await PumpAsync($"before\n{huge}\nafter\n");
        Assert.Equal("before", lines[0]);
        Assert.All(lines.Skip(1).Take(lines.Count - 2), piece => Assert.True(piece.Length <= WorkerProcess.MaxLineChars + 8192));
        Assert.Equal(huge, string.Concat(lines.Skip(1).Take(lines.Count - 2)));
        Assert.Equal("after", lines[^1]);
    }

    [Fact]
    public async Task SinkThatFails_DropsTheRest_ButThePipeIsReadToItsEnd()
    {
        var reader = new StringReader(string.Join('\n', Enumerable.Range(0, 1000)));
        var seen = 0;
        await WorkerProcess.PumpAsync(reader, _ => throw new IOException($"disk full after {++seen}"));
        Assert.Equal(1, seen);
        Assert.Equal(-1, reader.Peek()); // all read: a process writing into the pipe would not block
    }

    private static async Task<List<string>> PumpAsync(string text)
    {
        var lines = new List<string>();
        await WorkerProcess.PumpAsync(new StringReader(text), lines.Add);
        return lines;
    }
}
