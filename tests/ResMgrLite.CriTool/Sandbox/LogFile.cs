namespace ResMgrLite.CriTool.Sandbox;

/// <summary>Polls a log file that another process writes until its text satisfies a condition.</summary>
internal static class LogFile
{
    public static string Read(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return "";
        }
        catch (DirectoryNotFoundException)
        {
            return "";
        }
    }

    /// <summary>Returns the log text once <paramref name="condition"/> holds; throws with the text seen when it never does.</summary>
    public static async Task<string> WaitForAsync(string path, Func<string, bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var text = Read(path);
            if (condition(text))
            {
                return text;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"{path}: {what} did not appear within {timeout.TotalSeconds:0}s. Log so far:\n{Tail(text, 60)}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    public static string Tail(string text, int lines)
    {
        var all = text.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
