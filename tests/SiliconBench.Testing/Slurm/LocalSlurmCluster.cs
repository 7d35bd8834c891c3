using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using SiliconBench.Campaigns.Scheduling;

namespace SiliconBench.Testing.Slurm;

/// <summary>
/// A real single-node Slurm for tests: munged, slurmctld and slurmd (Debian's slurm-wlm and munge, installed by
/// scripts/prerequisites.sh) started in the foreground as this process's children, with everything of theirs in a
/// temporary folder of its own: slurm.conf (reached through <c>SLURM_CONF</c>), state, spool, logs, the munge key and
/// socket, and two free loopback ports. Nothing goes to /etc or /var, and two test runs on one machine (other engineers'
/// suites) each get their own cluster, ports, node name and folder, so they cannot collide.
/// Settings as checked on the CI machine: proctrack/linuxproc, task/none, select/cons_tres, one node on 127.0.0.1,
/// no accounting store (jobcomp/filetxt keeps a record of finished jobs).
/// </summary>
public sealed class LocalSlurmCluster : IDisposable
{
    private static readonly string[] Daemons = ["/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd"];
    private readonly List<Process> _processes = [];

    private LocalSlurmCluster(string directory, string nodeName)
    {
        Directory = directory;
        NodeName = nodeName;
    }

    /// <summary>Why no cluster can be started here (Slurm not installed, not root), or null.</summary>
    public static string? Unavailable =>
        Daemons.FirstOrDefault(d => !File.Exists(d)) is { } missing
            ? $"{missing} is not installed (./scripts/test.sh installs Slurm and munge through scripts/prerequisites.sh)"
            : System.Environment.UserName != "root"
                ? "slurmd runs jobs as their submitting user and needs root; these tests run as root in CI"
                : null;

    public string Directory { get; }
    public string NodeName { get; }
    public string Partition => "debug";
    public string ConfigFile => Path.Combine(Directory, "slurm.conf");

    /// <summary>What a client (sbatch, squeue, the CLI) needs in its environment to talk to this cluster.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["SLURM_CONF"] = ConfigFile };

    /// <summary>Starts the daemons and waits until the node takes jobs.</summary>
    public static LocalSlurmCluster Start(TimeSpan timeout)
    {
        if (Unavailable is { } why)
            throw new InvalidOperationException(why);
        // A port found free can be taken by another process before slurmctld binds it: then start again on new ones.
        for (var attempt = 1; ; attempt++)
        {
            var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
            // Short: the munge socket path must fit a Unix socket address (108 bytes).
            var dir = Path.Combine(Path.GetTempPath(), "sb-slurm-" + tag);
            var cluster = new LocalSlurmCluster(dir, "sb" + tag);
            try
            {
                cluster.Launch(timeout);
                return cluster;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                cluster.Dispose();
            }
            catch
            {
                cluster.Dispose();
                throw;
            }
        }
    }

    private void Launch(TimeSpan timeout)
    {
        foreach (var sub in new[] { "state", "spool", "log" })
            System.IO.Directory.CreateDirectory(Path.Combine(Directory, sub));
        var key = Path.Combine(Directory, "munge.key");
        File.WriteAllBytes(key, RandomNumberGenerator.GetBytes(1024));
        // munged refuses a key others can read.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(key, UnixFileMode.UserRead);
        var socket = Path.Combine(Directory, "munge.sock");
        Spawn("munged", "/usr/sbin/munged", "--foreground", "--force", $"--socket={socket}", $"--key-file={key}",
            $"--pid-file={Path.Combine(Directory, "munged.pid")}", $"--log-file={Path.Combine(Directory, "log", "munged.log")}",
            $"--seed-file={Path.Combine(Directory, "munged.seed")}");
        WaitFor(() => File.Exists(socket), timeout, "munged did not create its socket");

        var (controllerPort, nodePort) = (FreePort(), FreePort());
        File.WriteAllText(ConfigFile, Config(socket, controllerPort, nodePort));
        Spawn("slurmctld", "/usr/sbin/slurmctld", "-D", "-f", ConfigFile);
        Spawn("slurmd", "/usr/sbin/slurmd", "-D", "-f", ConfigFile, "-N", NodeName);
        WaitFor(() => Client("sinfo", "--noheader", "--nodes=" + NodeName, "--format=%t").Output.Trim() == "idle", timeout,
            "the node did not become idle");
    }

    private string Config(string socket, int controllerPort, int nodePort)
    {
        var d = Directory;
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        return $"""
            ClusterName=sb{NodeName[2..]}
            SlurmctldHost=localhost(127.0.0.1)
            SlurmctldPort={I(controllerPort)}
            SlurmdPort={I(nodePort)}
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            AuthInfo=socket={socket}
            CredType=cred/munge
            StateSaveLocation={d}/state
            SlurmdSpoolDir={d}/spool
            SlurmctldPidFile={d}/slurmctld.pid
            SlurmdPidFile={d}/slurmd.pid
            SlurmctldLogFile={d}/log/slurmctld.log
            SlurmdLogFile={d}/log/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_CPU
            MpiDefault=none
            JobAcctGatherType=jobacct_gather/none
            AccountingStorageType=accounting_storage/none
            JobCompType=jobcomp/filetxt
            JobCompLoc={d}/jobcomp.txt
            ReturnToService=2
            NodeName={NodeName} NodeAddr=127.0.0.1 NodeHostname=localhost CPUs={I(System.Environment.ProcessorCount)} State=UNKNOWN
            PartitionName={Partition} Nodes={NodeName} Default=YES MaxTime=INFINITE State=UP

            """;
    }

    /// <summary>Runs a Slurm client command against this cluster.</summary>
    public CommandResult Client(string program, params string[] arguments) => new ProcessCommandRunner(Environment).Run(program, arguments);

    /// <summary>Waits until no job is queued or running.</summary>
    public void WaitUntilIdle(TimeSpan timeout) =>
        WaitFor(() => Client("squeue", "--noheader").Output.Trim().Length == 0, timeout, "jobs are still queued or running");

    /// <summary>The daemons' logs, for a failing test's message.</summary>
    public string Logs()
    {
        var sb = new StringBuilder();
        foreach (var log in System.IO.Directory.Exists(Path.Combine(Directory, "log")) ? System.IO.Directory.GetFiles(Path.Combine(Directory, "log")) : [])
        {
            var lines = File.ReadAllLines(log);
            sb.Append("== ").Append(Path.GetFileName(log)).Append('\n');
            foreach (var line in lines.Skip(Math.Max(0, lines.Length - 20)))
                sb.Append(line).Append('\n');
        }
        return sb.ToString();
    }

    private void Spawn(string name, string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        info.Environment["SLURM_CONF"] = ConfigFile;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start");
        _processes.Add(process);
        var log = Path.Combine(Directory, "log", name + ".out");
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private static void Append(string path, string? line)
    {
        if (line is null)
            return;
        lock (Daemons)
            File.AppendAllText(path, line + "\n");
    }

    private void WaitFor(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (_processes.FirstOrDefault(p => p.HasExited) is { } dead)
                throw new InvalidOperationException($"{what}: {dead.StartInfo.FileName} exited with {dead.ExitCode}\n{Logs()}");
            if (deadline.Elapsed > timeout)
                throw new TimeoutException($"{what} within {timeout.TotalSeconds:0} s\n{Logs()}");
            Thread.Sleep(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        // Daemons first (slurmd, slurmctld, then munged), each by the process this cluster started.
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            try
            {
                if (!_processes[i].HasExited)
                {
                    _processes[i].Kill(entireProcessTree: true);
                    _processes[i].WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
            _processes[i].Dispose();
        }
        try
        {
            if (System.IO.Directory.Exists(Directory))
                System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A straggling slurmstepd may still hold a spool file; the folder is in the temp directory.
        }
    }
}
