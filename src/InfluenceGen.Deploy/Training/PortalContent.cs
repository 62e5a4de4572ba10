using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace InfluenceGen.Deploy.Training
{
    /// <summary>When a file is published, so readers never see a page whose assets are missing.</summary>
    public enum PublishPhase
    {
        /// <summary>Assets: stylesheets, scripts, images, PDFs, videos, fonts… (what pages reference).</summary>
        Asset = 0,
        /// <summary>HTML pages other than index.html.</summary>
        Page = 1,
        /// <summary>index.html of sub-folders.</summary>
        Index = 2,
        /// <summary>The portal's own index.html: the last upload.</summary>
        RootIndex = 3,
        /// <summary>Deletions of files the source no longer has, after every upload.</summary>
        Delete = 4,
    }

    /// <summary>Content-Type, Cache-Control and publish phase of a portal file, by its name.</summary>
    public static class PortalContent
    {
        private static readonly Dictionary<string, string> Types = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [".html"] = "text/html; charset=utf-8", [".htm"] = "text/html; charset=utf-8",
            [".css"] = "text/css; charset=utf-8", [".js"] = "text/javascript; charset=utf-8", [".mjs"] = "text/javascript; charset=utf-8",
            [".json"] = "application/json", [".map"] = "application/json", [".webmanifest"] = "application/manifest+json",
            [".xml"] = "application/xml", [".txt"] = "text/plain; charset=utf-8", [".md"] = "text/markdown; charset=utf-8",
            [".csv"] = "text/csv; charset=utf-8", [".vtt"] = "text/vtt; charset=utf-8", [".srt"] = "application/x-subrip",
            [".svg"] = "image/svg+xml", [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg",
            [".gif"] = "image/gif", [".webp"] = "image/webp", [".avif"] = "image/avif", [".ico"] = "image/vnd.microsoft.icon",
            [".bmp"] = "image/bmp", [".tif"] = "image/tiff", [".tiff"] = "image/tiff",
            [".pdf"] = "application/pdf", [".zip"] = "application/zip", [".epub"] = "application/epub+zip",
            [".docx"] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            [".pptx"] = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            [".xlsx"] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            [".mp4"] = "video/mp4", [".m4v"] = "video/mp4", [".webm"] = "video/webm", [".ogv"] = "video/ogg", [".mov"] = "video/quicktime",
            [".mp3"] = "audio/mpeg", [".m4a"] = "audio/mp4", [".ogg"] = "audio/ogg", [".wav"] = "audio/wav",
            [".woff2"] = "font/woff2", [".woff"] = "font/woff", [".ttf"] = "font/ttf", [".otf"] = "font/otf", [".eot"] = "application/vnd.ms-fontobject",
            [".wasm"] = "application/wasm",
        };

        /// <summary>A content hash in the name (app.3f9a1c2b.css, main-5d41402abc.js): safe to cache for a year.</summary>
        private static readonly Regex Hashed = new Regex(@"[.\-_][0-9a-fA-F]{8,}(\.[^./]+)?\.[A-Za-z0-9]+$", RegexOptions.CultureInvariant);

        public const string ImmutableCache = "public, max-age=31536000, immutable";
        public const string RevalidateCache = "public, max-age=0, must-revalidate";
        public const string AssetCache = "public, max-age=3600";

        public static string ContentType(string path)
        {
            int dot = path.LastIndexOf('.');
            int slash = path.LastIndexOf('/');
            if (dot > slash && Types.TryGetValue(path.Substring(dot), out string? type)) return type;
            return "application/octet-stream";
        }

        public static bool IsPage(string path) => path.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".htm", StringComparison.OrdinalIgnoreCase);

        /// <summary>Pages revalidate on every visit (a new publish shows at once); hashed assets are
        /// immutable; other assets may be cached for an hour.</summary>
        public static string CacheControl(string path)
        {
            if (IsPage(path)) return RevalidateCache;
            string name = path.Substring(path.LastIndexOf('/') + 1);
            return Hashed.IsMatch(name) ? ImmutableCache : AssetCache;
        }

        public static PublishPhase Phase(string path)
        {
            if (!IsPage(path)) return PublishPhase.Asset;
            string name = path.Substring(path.LastIndexOf('/') + 1);
            if (!name.Equals("index.html", StringComparison.OrdinalIgnoreCase) && !name.Equals("index.htm", StringComparison.OrdinalIgnoreCase)) return PublishPhase.Page;
            return path.IndexOf('/') < 0 ? PublishPhase.RootIndex : PublishPhase.Index;
        }
    }
}
