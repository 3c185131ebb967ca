using Ferry.Core.Users;

namespace Ferry.Core.Tests.Users;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Verify_SamePassword_True()
    {
        var hash = PasswordHasher.Hash("correct horse");
        Assert.True(PasswordHasher.Verify("correct horse", hash));
        Assert.StartsWith("pbkdf2-sha512$", hash, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("correct hors")]
    [InlineData("Correct horse")]
    [InlineData("")]
    public void Verify_OtherPassword_False(string attempt) =>
        Assert.False(PasswordHasher.Verify(attempt, PasswordHasher.Hash("correct horse")));

    [Fact]
    public void Hash_SamePasswordTwice_DiffersBySalt() =>
        Assert.NotEqual(PasswordHasher.Hash("pw-12345"), PasswordHasher.Hash("pw-12345"));

    [Theory]
    [InlineData("")]
    [InlineData("md5$1$abc$def")]
    [InlineData("pbkdf2-sha512$x$abc$def")]
    public void Verify_MalformedHash_False(string stored) => Assert.False(PasswordHasher.Verify("pw", stored));
}
