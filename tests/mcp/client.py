"""A real MCP client for the integration tests (tests/integration/mcp.rs): the official Python
SDK (`mcp` on PyPI) over stdio or Streamable HTTP.

    client.py stdio BINARY [ARGS...] < plan.json
    client.py http URL [BEARER_TOKEN] < plan.json

The plan names what to do after `initialize`: {"calls": [{"tool": NAME, "args": {...}}],
"reads": [URI], "prompts": [NAME]}. It prints one JSON object: the tools listed (name,
description, inputSchema), the resource templates and resources, the prompts, and each call's,
read's and prompt's result. A protocol error (the SDK raises) is recorded as {"protocol_error":
MESSAGE}, so one bad call does not stop the rest: the server must survive it.
"""

import json
import os
import sys

import anyio
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client


def dump(model):
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


async def run_plan(session, plan):
    out = {}
    init = await session.initialize()
    out["server"] = dump(init.server_info)
    out["tools"] = [dump(t) for t in (await session.list_tools()).tools]
    out["templates"] = [
        dump(t) for t in (await session.list_resource_templates()).resource_templates
    ]
    out["resources"] = [dump(r) for r in (await session.list_resources()).resources]
    out["prompts"] = [dump(p) for p in (await session.list_prompts()).prompts]
    out["calls"] = []
    for call in plan.get("calls", []):
        try:
            r = await session.call_tool(call["tool"], call.get("args", {}))
            out["calls"].append(
                {
                    "isError": bool(r.is_error),
                    "structured": r.structured_content,
                    "text": [c.text for c in r.content if getattr(c, "type", "") == "text"],
                }
            )
        except Exception as e:  # the SDK raises on a JSON-RPC error
            out["calls"].append({"protocol_error": str(e)})
    out["reads"] = []
    for uri in plan.get("reads", []):
        try:
            r = await session.read_resource(uri)
            out["reads"].append([dump(c) for c in r.contents])
        except Exception as e:
            out["reads"].append({"protocol_error": str(e)})
    out["got_prompts"] = []
    for name in plan.get("prompts", []):
        try:
            r = await session.get_prompt(name)
            out["got_prompts"].append(dump(r))
        except Exception as e:
            out["got_prompts"].append({"protocol_error": str(e)})
    return out


async def main():
    plan = json.load(sys.stdin)
    kind = sys.argv[1]
    if kind == "stdio":
        params = StdioServerParameters(
            command=sys.argv[2], args=sys.argv[3:], env=dict(os.environ)
        )
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                out = await run_plan(session, plan)
    elif kind == "http":
        headers = {}
        if len(sys.argv) > 3:
            headers["Authorization"] = "Bearer " + sys.argv[3]
        async with create_mcp_http_client(headers=headers) as http:
            async with streamable_http_client(sys.argv[2], http_client=http) as streams:
                read, write = streams[0], streams[1]
                async with ClientSession(read, write) as session:
                    out = await run_plan(session, plan)
    else:
        sys.exit(f"client.py: unknown transport {kind!r}: stdio or http")
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


anyio.run(main)
