using LiveHub.Load;

// Live coverage fan-out load test: N WebSockets on one stream, posts at a set rate, latency from
// publish (the moment the staff POST is sent) to each client's receipt. See docs/benchmarks.md.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(LoadProgram.Usage);
    Console.WriteLine(JoinBench.Usage);
    return 0;
}

try
{
    return args[0] switch
    {
        "run" => await LoadProgram.RunAsync(LoadOptions.Parse(args[1..])),
        "joins" => await JoinBench.RunAsync(args[1..]),
        "report" when args.Length == 2 => Report.Print(args[1]),
        _ => throw new ArgumentException($"Unknown command '{args[0]}'.\n\n{LoadProgram.Usage}"),
    };
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
