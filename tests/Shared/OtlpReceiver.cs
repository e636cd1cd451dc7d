using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Routines.Silo.Hosting;

namespace Routines.Tests.Shared;

/// <summary>One span as an OTLP exporter sent it: ids in hex, the exporting process's <c>service.name</c>.</summary>
public sealed record ReceivedSpan(string TraceId, string SpanId, string? ParentSpanId, string Name, string Service, IReadOnlyDictionary<string, string> Tags);

/// <summary>
/// A collector for the tests and the bench: OTLP over HTTP (protobuf) on a loopback port, keeping the spans processes
/// send to <c>/v1/traces</c> (unless told to drop them, as a sink) and accepting (and dropping) metrics and logs. It
/// reads only the fields the tests look at.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ConcurrentBag<ReceivedSpan> _spans = [];

    OtlpReceiver(WebApplication app) => _app = app;

    public int Port { get; private init; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<ReceivedSpan> Spans => _spans.ToList();

    /// <param name="keepSpans">False: a sink that reads and drops what it gets, costing its host as little as it can.</param>
    public static async Task<OtlpReceiver> StartAsync(bool keepSpans = true)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var receiver = new OtlpReceiver(app) { Port = port };
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            if (!keepSpans)
            {
                await request.Body.CopyToAsync(Stream.Null);
                return Results.Bytes([], "application/x-protobuf");
            }

            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            foreach (var span in ReadSpans(body.ToArray())) receiver._spans.Add(span);
            return Results.Bytes([], "application/x-protobuf");
        });
        app.MapPost("/v1/metrics", () => Results.Bytes([], "application/x-protobuf"));
        app.MapPost("/v1/logs", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        return receiver;
    }

    /// <summary>ExportTraceServiceRequest → ResourceSpans (1) → resource (1) and ScopeSpans (2) → Span (2).</summary>
    static IEnumerable<ReceivedSpan> ReadSpans(byte[] request)
    {
        foreach (var (_, resourceSpans) in Fields(request).Where(f => f.Number == 1))
        {
            var fields = Fields(resourceSpans).ToList();
            var resource = fields.Where(f => f.Number == 1).Select(f => Attributes(Fields(f.Bytes), 1)).FirstOrDefault() ?? [];
            var service = resource.GetValueOrDefault("service.name", "?");
            foreach (var (_, scopeSpans) in fields.Where(f => f.Number == 2))
            foreach (var (_, span) in Fields(scopeSpans).Where(f => f.Number == 2))
            {
                var s = Fields(span).ToList();
                string Hex(int number) => Convert.ToHexStringLower(s.FirstOrDefault(f => f.Number == number).Bytes ?? []);
                var parent = Hex(4);
                yield return new ReceivedSpan(Hex(1), Hex(2), parent.Length == 0 ? null : parent,
                    System.Text.Encoding.UTF8.GetString(s.First(f => f.Number == 5).Bytes), service, Attributes(s, 9));
            }
        }
    }

    /// <summary>KeyValue (key 1, AnyValue 2) fields numbered <paramref name="number"/>, values as text.</summary>
    static Dictionary<string, string> Attributes(IEnumerable<(int Number, byte[] Bytes)> fields, int number)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var (_, keyValue) in fields.Where(f => f.Number == number))
        {
            var kv = Fields(keyValue).ToList();
            var key = System.Text.Encoding.UTF8.GetString(kv.First(f => f.Number == 1).Bytes);
            var value = kv.FirstOrDefault(f => f.Number == 2).Bytes is { } any ? AnyValue(any) : "";
            attributes[key] = value;
        }

        return attributes;
    }

    /// <summary>AnyValue: string (1), bool (2), int (3) or double (4).</summary>
    static string AnyValue(byte[] any)
    {
        foreach (var (number, bytes) in Fields(any))
        {
            return number switch
            {
                1 => System.Text.Encoding.UTF8.GetString(bytes),
                2 => (bytes[0] != 0).ToString(),
                3 => BitConverter.ToInt64(bytes).ToString(System.Globalization.CultureInfo.InvariantCulture),
                4 => BitConverter.ToDouble(bytes).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => "",
            };
        }

        return "";
    }

    /// <summary>
    /// The fields of a protobuf message: length-delimited ones as their bytes, varints as 8 little-endian bytes, fixed
    /// ones as their 4 or 8 bytes.
    /// </summary>
    static IEnumerable<(int Number, byte[] Bytes)> Fields(byte[] message)
    {
        var at = 0;
        while (at < message.Length)
        {
            var tag = Varint(message, ref at);
            var number = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    yield return (number, BitConverter.GetBytes(Varint(message, ref at)));
                    break;
                case 1:
                    yield return (number, message[at..(at + 8)]);
                    at += 8;
                    break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    yield return (number, message[at..(at + length)]);
                    at += length;
                    break;
                case 5:
                    yield return (number, message[at..(at + 4)]);
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {tag & 7} at byte {at}.");
            }
        }
    }

    static ulong Varint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
