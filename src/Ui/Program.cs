// The Routines web console: runs, run detail with live logs, workflow trees, progress and metric charts, workers,
// the routine catalog with a Run form, and a compare view. An Orleans client of the service.
//   dotnet run --project src/Ui                      (embedded default: the service on 127.0.0.1:30000)
//   dotnet run --project src/Ui -- hash-password     (prints the hash of a password, for Routines:Ui:Users:N:PasswordHash)
// Settings: Routines:Cluster:GatewayEndpoint (as every client), Routines:Ui:Users (who may log in). See src/Ui/README.md.
using Routines.Ui.Hosting;
using Routines.Ui.Security;

if (args is ["hash-password", ..]) return HashPasswordVerb.Run(args[1..]);

var builder = WebApplication.CreateBuilder(args);
if (!builder.AddRoutinesConsole(out var invalid))
{
    Console.Error.WriteLine(invalid);
    return 2;
}

var app = builder.Build();
app.MapRoutinesConsole();
await app.RunAsync();
return 0;
