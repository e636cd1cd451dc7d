namespace Routines.Ui.Security;

/// <summary>
/// Headers on every answer: a content security policy that allows only the console's own scripts, styles and
/// connections and no framing, no MIME sniffing, and no referrer to other sites.
/// </summary>
internal static class SecurityHeaders
{
    // MudBlazor sets style attributes, hence 'unsafe-inline' for styles only; Blazor's circuit is a same-origin WebSocket.
    const string ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                       + "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        return next(http);
    });
}
