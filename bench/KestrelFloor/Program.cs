// Kestrel's floor on this machine: POST /api/{name}/{version} is routed, its body read to the end and a
// fixed answer of the realtime shape written. No authentication, no JSON parsed, no model: any ASP.NET Core
// server answering the realtime call does at least this, so no such server outruns it on the same cores.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var answer = """{"success":true,"errorMessage":"","consoleOutput":"","changedFiles":[],"outputParameters":{"outputData":{"label":[1]}},"outputFiles":{}}"""u8.ToArray();
app.MapPost("/api/{name}/{version}", async context =>
{
    var body = context.Request.BodyReader;
    while (true)
    {
        var read = await body.ReadAsync(context.RequestAborted);
        body.AdvanceTo(read.Buffer.End);
        if (read.IsCompleted)
        {
            break;
        }
    }

    context.Response.ContentType = "application/json";
    await context.Response.Body.WriteAsync(answer, context.RequestAborted);
});
await app.RunAsync();
