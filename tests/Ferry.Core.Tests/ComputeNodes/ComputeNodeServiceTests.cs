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
    public async Task Set_InvalidEntry_IsBadRequestAndChangesNothing(string entry)
    {
        var store = new MemoryStore();
        var service = new ComputeNodeService(store);
        await service.SetAsync(["http://a:12805"], CancellationToken.None);
        var error = await Assert.ThrowsAsync<FerryException>(() => service.SetAsync([entry], CancellationToken.None));
        Assert.Equal(FerryErrorKind.BadRequest, error.Kind);
        Assert.Equal(["http://a:12805"], store.Entries);
    }
}
