using System.Text.Json.Nodes;

namespace ZohoCrm.Emulator;

/// <summary>
/// The metadata endpoints (zoho-api.md section 5, "Metadata endpoints"), all read from <see cref="ZohoSchema"/>:
/// <c>GET /crm/{v}/settings/modules</c>, <c>GET /crm/{v}/settings/fields?module=X</c>,
/// <c>GET /crm/{v}/settings/custom_views?module=X</c>. Without the settings scopes
/// (<see cref="EmulatorOptions.NoSettingsScope"/>) each answers 401 OAUTH_SCOPE_MISMATCH; a missing <c>module</c> is 400
/// REQUIRED_PARAM_MISSING, an unknown one 400 INVALID_MODULE.
/// </summary>
internal static class SettingsEndpoints
{
    /// <summary>The ids of the modules lookups point to that are not schema modules.</summary>
    private static readonly Dictionary<string, string> OtherModuleIds = new(StringComparer.Ordinal)
    {
        ["users"] = "738964000000002001",
        ["Layouts"] = "738964000000002003",
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        var settings = $"crm/{{v:{ZohoRouting.VersionConstraint}}}/settings";
        app.MapZoho($"{settings}/modules", ["GET"], Modules);
        app.MapZoho($"{settings}/fields", ["GET"], Fields);
        app.MapZoho($"{settings}/custom_views", ["GET"], CustomViews);
    }

    private static Reply Modules(EmulatorState state)
    {
        if (state.Options.NoSettingsScope)
        {
            return new Reply(401, Zoho.OAuthScopeMismatch());
        }
        var modules = state.Modules.Values.Select(m => (JsonNode?)new JsonObject
        {
            ["api_name"] = m.Schema.ApiName,
            ["module_name"] = m.Schema.ApiName,
            ["singular_label"] = m.Schema.SingularLabel,
            ["plural_label"] = m.Schema.ApiName,
            ["id"] = m.Schema.Id,
            ["api_supported"] = true,
            ["creatable"] = true,
            ["editable"] = true,
            ["deletable"] = true,
            ["viewable"] = true,
            ["generated_type"] = "default",
        });
        return new Reply(200, new JsonObject { ["modules"] = new JsonArray(modules.ToArray()) });
    }

    private static Reply Fields(HttpContext ctx, EmulatorState state)
    {
        if (Module(ctx, state, out var module) is { } error)
        {
            return error;
        }
        var schema = module!.Schema;
        var fields = schema.Fields.Select(f => (JsonNode?)Field(state, schema, f));
        return new Reply(200, new JsonObject { ["fields"] = new JsonArray(fields.ToArray()) });
    }

    private static Reply CustomViews(HttpContext ctx, EmulatorState state)
    {
        if (Module(ctx, state, out var module) is { } error)
        {
            return error;
        }
        var views = state.Records.CustomViews.Values.Where(cv => cv.Module == module!.Schema.ApiName).Select(cv => (JsonNode?)new JsonObject
        {
            ["id"] = cv.Id,
            ["name"] = cv.Name,
            ["display_value"] = cv.Name,
            ["system_name"] = cv.SystemName,
            ["system_defined"] = cv.SystemName is not null,
            ["category"] = "public_views",
        }).ToArray();
        return new Reply(200, new JsonObject
        {
            ["custom_views"] = new JsonArray(views),
            ["info"] = new JsonObject { ["per_page"] = 200, ["count"] = views.Length, ["page"] = 1, ["more_records"] = false },
        });
    }

    /// <summary>The scope check, then the <c>module</c> parameter: a known module, or the error answer.</summary>
    private static Reply? Module(HttpContext ctx, EmulatorState state, out ModuleData? module)
    {
        module = null;
        if (state.Options.NoSettingsScope)
        {
            return new Reply(401, Zoho.OAuthScopeMismatch());
        }
        var name = ctx.Request.Query["module"].ToString();
        if (name.Length == 0)
        {
            return new Reply(400, Zoho.RequiredParamMissing("module"));
        }
        return state.Modules.TryGetValue(name, out module) ? null : new Reply(400, Zoho.InvalidModule());
    }

    /// <summary>One field's metadata, as the schema has it.</summary>
    private static JsonObject Field(EmulatorState state, ModuleSchema schema, FieldSchema f)
    {
        var o = new JsonObject
        {
            ["api_name"] = f.ApiName,
            ["field_label"] = f.Label,
            ["display_label"] = f.Label,
            ["id"] = schema.FieldId(f),
            ["data_type"] = f.DataType,
            ["json_type"] = f.JsonType,
            ["read_only"] = f.ReadOnly,
            ["field_read_only"] = f.ReadOnly,
            ["system_mandatory"] = BulkRowWriter.IsMandatory(state.Options, schema, f),
            ["visible"] = true,
            ["unique"] = f.Unique ? new JsonObject { ["casesensitive"] = "false" } : new JsonObject(),
        };
        if (f.Length is { } length)
        {
            o["length"] = length;
        }
        if (f.Type is FieldType.Picklist or FieldType.MultiSelectPicklist)
        {
            o["pick_list_values"] = new JsonArray((f.Values ?? []).Select((v, i) => (JsonNode?)new JsonObject
            {
                ["display_value"] = v,
                ["actual_value"] = v,
                ["id"] = schema.PickListValueId(f, i),
            }).ToArray());
        }
        if (f.LookupModule is { } target)
        {
            o["lookup"] = new JsonObject
            {
                ["module"] = new JsonObject
                {
                    ["api_name"] = target,
                    ["id"] = state.Modules.TryGetValue(target, out var m) ? m.Schema.Id : OtherModuleIds.GetValueOrDefault(target),
                },
            };
        }
        return o;
    }
}
