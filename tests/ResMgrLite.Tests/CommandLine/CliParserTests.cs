using ResMgrLite.CommandLine;

namespace ResMgrLite.Tests.CommandLine;

/// <summary>The parser's grammar on a small command tree of its own.</summary>
public class CliParserTests
{
    private readonly CliOption _value = new() { Name = "--value", ValueName = "V", Description = "A value.", Default = "fallback" };
    private readonly CliOption _other = new() { Name = "--other", ValueName = "V", Description = "Another value." };
    private readonly CliOption _flag = new() { Name = "--flag", Description = "A flag." };
    private CliArguments? _seen;

    private CliCommand Tree(Func<CliArguments, int>? run = null) => new("tool", "A tool.")
    {
        Commands =
        [
            new CliCommand("act", "Acts.")
            {
                Options = [_value, _other, _flag],
                Run = run ?? (args => { _seen = args; return 7; }),
            },
        ],
    };

    private (int ExitCode, string Stdout, string Stderr) Run(CliCommand root, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exitCode = CliParser.Run(root, args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }

    [Theory]
    [InlineData("-")]
    [InlineData("")]
    [InlineData("a=b")]
    [InlineData("-x")]
    [InlineData(" spaced value ")]
    public void Values_pass_through_verbatim_in_both_spellings(string value)
    {
        var separate = Run(Tree(), "act", "--value", value);
        Assert.Equal(7, separate.ExitCode);
        Assert.Equal(value, _seen!.Value(_value));

        var joined = Run(Tree(), "act", "--value=" + value);
        Assert.Equal(7, joined.ExitCode);
        Assert.Equal(value, _seen!.Value(_value));
    }

    [Fact]
    public void A_value_may_start_with_two_dashes_only_when_joined()
    {
        Assert.Equal(7, Run(Tree(), "act", "--value=--odd").ExitCode);
        Assert.Equal("--odd", _seen!.Value(_value));
    }

    [Fact]
    public void Defaults_apply_to_options_not_given_and_flags_are_off()
    {
        Assert.Equal(7, Run(Tree(), "act", "--other", "x").ExitCode);
        Assert.Equal("fallback", _seen!.Value(_value));
        Assert.Equal("x", _seen.Value(_other));
        Assert.False(_seen.Has(_flag));

        Assert.Equal(7, Run(Tree(), "act", "--flag").ExitCode);
        Assert.Null(_seen!.Value(_other));
        Assert.True(_seen.Has(_flag));
    }

    [Fact]
    public void Options_come_in_any_order()
    {
        Assert.Equal(7, Run(Tree(), "act", "--flag", "--other", "o", "--value", "v").ExitCode);
        Assert.Equal(("v", "o", true), (_seen!.Value(_value), _seen.Value(_other), _seen.Has(_flag)));
    }

    [Fact]
    public void The_command_writes_to_the_given_writers()
    {
        var (exitCode, stdout, stderr) = Run(Tree(args => { args.Out.Write("out"); args.Error.Write("err"); return 0; }), "act");
        Assert.Equal((0, "out", "err"), (exitCode, stdout, stderr));
    }

    [Fact]
    public void An_exception_in_a_command_is_a_sentence_and_exit_1_not_a_stack_trace()
    {
        var (exitCode, _, stderr) = Run(Tree(_ => throw new IOException("the disk is on fire")), "act");
        Assert.Equal(CliParser.Failure, exitCode);
        Assert.Equal("tool act: the disk is on fire", stderr.Trim());
    }

    [Fact]
    public void A_refused_value_reports_the_check_sentence()
    {
        var checkedOption = new CliOption { Name = "--n", ValueName = "N", Description = "A number.", Check = v => int.TryParse(v, out _) ? null : "--n must be a number" };
        var root = new CliCommand("tool", "A tool.") { Options = [checkedOption], Run = _ => 0 };
        Assert.Equal(0, Run(root, "--n", "5").ExitCode);
        var (exitCode, _, stderr) = Run(root, "--n", "five");
        Assert.Equal(CliParser.UsageError, exitCode);
        Assert.StartsWith("tool: --n must be a number\n", stderr.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Long_descriptions_wrap_under_their_column()
    {
        var wordy = new CliOption { Name = "--wordy", ValueName = "W", Description = string.Join(' ', Enumerable.Repeat("word", 40)) };
        var root = new CliCommand("tool", "A tool.") { Options = [wordy], Run = _ => 0 };
        string help = Run(root, "--help").Stdout;
        string[] lines = help.Split('\n');
        int first = Array.FindIndex(lines, l => l.StartsWith("  --wordy W", StringComparison.Ordinal));
        Assert.True(first >= 0, help);
        int column = lines[first].IndexOf("word", "  --wordy W".Length, StringComparison.Ordinal);
        Assert.StartsWith(new string(' ', column) + "word", lines[first + 1], StringComparison.Ordinal);
        Assert.All(lines, line => Assert.True(line.Length <= 80, line));
    }
}
