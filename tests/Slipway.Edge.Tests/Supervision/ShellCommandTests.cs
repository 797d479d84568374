using Slipway.Edge.Supervision;

namespace Slipway.Edge.Tests.Supervision;

public sealed class ShellCommandTests
{
    [Theory]
    [InlineData("dotnet out/Hello.dll")]
    [InlineData("  /usr/bin/python3 -m http.server 8000 ")]
    [InlineData("'/opt/my app/slipway' 'server' '--home' '/tmp/x'")]
    public void CanExec_PlainCommand_IsExeced(string command) => Assert.True(ShellCommand.CanExec(command));

    [Theory]
    [InlineData("cd out && dotnet Hello.dll")]
    [InlineData("dotnet a.dll; echo done")]
    [InlineData("FOO=bar dotnet a.dll")]
    [InlineData("dotnet a.dll > x.log")]
    [InlineData("echo $PORT")]
    [InlineData("cd out")]
    [InlineData("")]
    public void CanExec_ShellSyntax_RunsUnderTheShell(string command) => Assert.False(ShellCommand.CanExec(command));

    [Fact]
    public void Script_PlainCommand_ExecsIt() =>
        Assert.EndsWith("\nexec dotnet out/Hello.dll", ShellCommand.Script("dotnet out/Hello.dll"), StringComparison.Ordinal);
}
