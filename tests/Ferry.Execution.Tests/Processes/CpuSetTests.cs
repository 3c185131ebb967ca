using Ferry.Execution.Processes;

namespace Ferry.Execution.Tests.Processes;

public sealed class CpuSetTests
{
    [Theory]
    [InlineData("0", new[] { 0 })]
    [InlineData(" 0-3\t", new[] { 0, 1, 2, 3 })]
    [InlineData("0-1,4,6-7", new[] { 0, 1, 4, 6, 7 })]
    [InlineData("3,1,1-2", new[] { 1, 2, 3 })]
    [InlineData("", new int[0])]
    [InlineData("2-1", new int[0])]
    [InlineData("a-b", new int[0])]
    [InlineData("0-1-2", new int[0])]
    [InlineData("-1", new int[0])]
    public void Parse_ReadsLinuxCpuLists_AndRefusesAnythingElse(string list, int[] cpus) =>
        Assert.Equal(cpus, CpuSet.Parse(list));

    [Fact]
    public void Allowed_NamesTheCpusThisProcessRunsOn() =>
        Assert.Equal(File.ReadAllText($"/proc/{Environment.ProcessId}/status").Contains("Cpus_allowed_list:", StringComparison.Ordinal), CpuSet.Allowed().Count > 0);
}
