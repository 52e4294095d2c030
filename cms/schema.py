"""drf-spectacular hooks."""


def only_public_api(endpoints):
    """Describe only the catalog API; Wagtail's internal admin API is not a public contract."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def nullable_references(result, generator, request, public):
    """OpenAPI 3.0.3: `nullable` adds null only to a `type` given beside it, and `allOf` asks
    null to match the referenced object too. drf-spectacular writes a nullable reference as
    `{"allOf": [{"$ref": …}], "nullable": true}`, which a strict client reads as never null:
    every tombstone of the change feed, document without a form and top department broke a
    client generated from it (an independent check). Written as drf-spectacular writes a
    nullable enum instead: one of the reference or `NullEnum` (`{"enum": [null]}`)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    null = "#/components/schemas/NullEnum"

    def visit(node):
        if isinstance(node, dict):
            parts = node.get("allOf")
            if (
                node.get("nullable")
                and "type" not in node
                and parts
                and len(parts) == 1
            ):
                del node["allOf"]
                node["oneOf"] = [parts[0], {"$ref": null}]
                schemas.setdefault("NullEnum", {"enum": [None]})
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result)
    return result
