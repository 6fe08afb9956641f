// The benches' model server: every request gets the same small chat.completion with usage, from
// precomputed bytes, so that the upstream is never what a peer's numbers measure.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();

var completion = """
    {"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench-model","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the bench upstream."},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":8,"total_tokens":20}}
    """u8.ToArray();

app.Run(async context =>
{
    context.Response.ContentType = "application/json";
    context.Response.ContentLength = completion.Length;
    await context.Response.Body.WriteAsync(completion, context.RequestAborted);
});
app.Run();
