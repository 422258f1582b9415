namespace ResMgrLite;

internal static class Program
{
    private static int Main(string[] args)
    {
        System.Console.WriteLine("resmgrlite 0.1.0");
        return args.Length;
    }
}
