/* geo_output.c — how a struct geo_info reads in text alerts and in JSON
 * (ECS names: geo.country_iso_code, as.number, as.organization.name …).
 * Knows nothing of events or sinks; the sinks call it.
 */
#include "geo.h"
#include "json.h"

#include <string.h>

static bool any_anonymous(const struct geo_info *gi)
{
    return gi->is_anonymous || gi->is_anonymous_vpn || gi->is_hosting_provider || gi->is_public_proxy ||
           gi->is_residential_proxy || gi->is_tor_exit_node;
}

static void sep(GString *out, gsize start)
{
    if (out->len > start)
        g_string_append(out, ", ");
}

bool geo_describe(const struct geo_info *gi, GString *out)
{
    if (!gi)
        return false;
    gsize start = out->len;
    if (gi->found) {
        if (gi->asn) {
            g_string_append_printf(out, "AS%u", gi->asn);
            if (gi->as_org[0])
                g_string_append_printf(out, " %s", gi->as_org);
        } else if (gi->as_org[0]) {
            g_string_append(out, gi->as_org);
        }
        const char *org = gi->as_org;
        if (gi->isp[0] && strcmp(gi->isp, org) != 0) {
            sep(out, start);
            g_string_append_printf(out, "ISP %s", gi->isp);
        }
        if (gi->city[0] || gi->country_iso[0] || gi->country_name[0]) {
            sep(out, start);
            if (gi->city[0])
                g_string_append(out, gi->city);
            if (gi->country_iso[0])
                g_string_append_printf(out, "%s%s", gi->city[0] ? " " : "", gi->country_iso);
            else if (gi->country_name[0])
                g_string_append_printf(out, "%s%s", gi->city[0] ? ", " : "", gi->country_name);
        }
        if (gi->connection_type[0]) {
            sep(out, start);
            g_string_append(out, gi->connection_type);
        }
        if (any_anonymous(gi)) {
            sep(out, start);
            g_string_append(out, gi->is_tor_exit_node      ? "Tor exit"
                                 : gi->is_anonymous_vpn    ? "anonymous VPN"
                                 : gi->is_public_proxy     ? "public proxy"
                                 : gi->is_residential_proxy ? "residential proxy"
                                 : gi->is_hosting_provider ? "hosting provider"
                                                           : "anonymous");
        }
    }
    if (out->len == start && gi->label)
        g_string_append(out, gi->label);
    return out->len > start;
}

void geo_text_annotate(GString *out, const char *lead, const struct geo_info *gi, const char *trail)
{
    if (!gi)
        return;
    gsize before = out->len;
    g_string_append(out, lead);
    if (geo_describe(gi, out))
        g_string_append(out, trail);
    else
        g_string_truncate(out, before);
}

static bool has_geo(const struct geo_info *gi)
{
    return gi->country_iso[0] || gi->country_name[0] || gi->city[0] || gi->has_location;
}

void geo_json_write_fields(struct json_writer *w, const struct geo_info *gi)
{
    if (!gi)
        return;
    if (gi->addr_class != ADDR_PUBLIC) {
        json_str(w, "address_class", addr_class_name(gi->addr_class));
        if (gi->label)
            json_str(w, "address_label", gi->label);
    }
    if (!gi->found)
        return;
    if (has_geo(gi)) {
        json_object_begin(w, "geo");
        if (gi->country_iso[0])
            json_str(w, "country_iso_code", gi->country_iso);
        if (gi->country_name[0])
            json_str(w, "country_name", gi->country_name);
        if (gi->city[0])
            json_str(w, "city_name", gi->city);
        if (gi->has_location) {
            json_object_begin(w, "location");
            json_double(w, "lat", gi->latitude);
            json_double(w, "lon", gi->longitude);
            json_object_end(w);
            if (gi->accuracy_radius_km)
                json_uint(w, "accuracy_radius", gi->accuracy_radius_km);
        }
        json_object_end(w);
    }
    if (gi->asn || gi->as_org[0]) {
        json_object_begin(w, "as");
        if (gi->asn)
            json_uint(w, "number", gi->asn);
        if (gi->as_org[0]) {
            json_object_begin(w, "organization");
            json_str(w, "name", gi->as_org);
            json_object_end(w);
        }
        json_object_end(w);
    }
    if (gi->isp[0])
        json_str(w, "isp", gi->isp);
    if (gi->organization[0])
        json_str(w, "organization", gi->organization);
    if (gi->connection_type[0])
        json_str(w, "connection_type", gi->connection_type);
    if (gi->has_anonymous) {
        json_object_begin(w, "anonymous");
        json_bool(w, "any", gi->is_anonymous);
        json_bool(w, "vpn", gi->is_anonymous_vpn);
        json_bool(w, "hosting_provider", gi->is_hosting_provider);
        json_bool(w, "public_proxy", gi->is_public_proxy);
        json_bool(w, "residential_proxy", gi->is_residential_proxy);
        json_bool(w, "tor_exit_node", gi->is_tor_exit_node);
        json_object_end(w);
    }
}

void geo_json_write_object(struct json_writer *w, const char *key, const struct geo_info *gi)
{
    if (!gi)
        return;
    json_object_begin(w, key);
    geo_json_write_fields(w, gi);
    json_object_end(w);
}
