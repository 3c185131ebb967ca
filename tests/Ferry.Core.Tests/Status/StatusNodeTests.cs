using Ferry.Core.Status;

namespace Ferry.Core.Tests.Status;

public sealed class StatusNodeTests
{
    private static readonly Dictionary<string, object?> None = [];

    [Fact]
    public void Of_WorstChildDecides()
    {
        var node = StatusNode.Of(None, new Dictionary<string, StatusNode>
        {
            ["a"] = StatusNode.Leaf(StatusCode.Pass, None),
            ["b"] = StatusNode.Leaf(StatusCode.Warn, None),
        });
        Assert.Equal(StatusCode.Warn, node.StatusCode);
    }

    [Fact]
    public async Task CheckAsync_ThrowingContributor_IsReportedAsFail()
    {
        var service = new StatusService([new Throwing()]);
        var tree = await service.CheckAsync(None, CancellationToken.None);
        Assert.Equal(StatusCode.Fail, tree.StatusCode);
        Assert.Equal("disk on fire", tree.Components["broken"].Details["error"]);
    }

    private sealed class Throwing : IStatusContributor
    {
        public string Name => "broken";

        public Task<StatusNode> CheckAsync(CancellationToken cancellationToken) => throw new IOException("disk on fire");
    }
}
