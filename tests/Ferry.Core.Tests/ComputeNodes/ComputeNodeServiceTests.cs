using Ferry.Core.ComputeNodes;
using Ferry.Core.Errors;

namespace Ferry.Core.Tests.ComputeNodes;

public sealed class ComputeNodeServiceTests
{
    private sealed class MemoryStore : IComputeNodeStore
    {
        public IReadOnlyList<string> Entries { get; private set; } = [];

        public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken) => Task.FromResult(Entries);

        public Task UpdateAsync(Func<IReadOnlyList<string>, IReadOnlyList<string>> change, CancellationToken cancellationToken)
        {
            Entries = change(Entries);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task AddAndRemove_KeepOrderAndIgnoreCaseDuplicates()
    {
        var store = new MemoryStore();
        var service = new ComputeNodeService(store);
        await service.SetAsync(["http://a:12805", "http://1.0.1-3.1-2:12805"], CancellationToken.None);
        await service.AddAsync(["HTTP://A:12805", "http://b:12805"], CancellationToken.None);
        await service.RemoveAsync(["http://a:12805"], CancellationToken.None);
        Assert.Equal(["http://1.0.1-3.1-2:12805", "http://b:12805"], store.Entries);
    }

    [Theory]
    [InlineData("")]
    [InlineData("12805")]
    [InlineData("file:///etc/passwd")]
    [InlineData("http://127.0.0.1:65535-65536")]
    [InlineData("http://10.0.0.1-99999999999:12805")]
    public async Task Set_InvalidEntry_IsBadRequestAndChangesNothing(string entry)
    {
        var store = new MemoryStore();
        var service = new ComputeNodeService(store);
        await service.SetAsync(["http://a:12805"], CancellationToken.None);
        var error = await Assert.ThrowsAsync<FerryException>(() => service.SetAsync([entry], CancellationToken.None));
        Assert.Equal(FerryErrorKind.BadRequest, error.Kind);
        Assert.Equal(["http://a:12805"], store.Entries);
    }

    [Fact]
    public void Expand_EveryRangeOfAnEntry_HostOctetsAndPorts()
    {
        Assert.Equal(
            ["http://10.0.1.4:12805", "http://10.0.1.4:12806", "http://10.0.2.4:12805", "http://10.0.2.4:12806", "http://b:12805"],
            ComputeNodeService.Expand(["http://10.0.1-2.4:12805-12806", "http://b:12805"]));
        Assert.Equal(["http://10.0.5.4:1"], ComputeNodeService.Expand(["http://10.0.5-3.4:1"])); // a backward range is its first value
        Assert.Equal(256, ComputeNodeService.Expand(["http://10.0-255.0-255.1:12805"]).Count);

        // Entries stored before every address was checked: what is not an address is left out, never an exception.
        Assert.Equal(["http://127.0.0.1:65535", "http://b:12805"], ComputeNodeService.Expand(["http://127.0.0.1:65535-65536", "http://1-99999999999.0.0.1:1", "http://b:12805"]));
    }
}
