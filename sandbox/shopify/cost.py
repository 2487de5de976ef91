"""Shopify's calculated query cost, close enough to plan and test against.

Rules (shopify.dev "GraphQL Admin API rate limits"): scalars and enums 0, objects 1,
connections 2 + (first|last) × the cost of one node, a mutation 10. The requested cost
uses the page sizes asked for; the actual cost counts what came back. A single query may
not cost more than 1000 points.
"""
from __future__ import annotations

from graphql import (FieldNode, FragmentSpreadNode, GraphQLList, GraphQLNonNull, InlineFragmentNode,
                     OperationDefinitionNode, OperationType, get_named_type, is_leaf_type,
                     value_from_ast_untyped)

MUTATION_COST = 10
MAX_QUERY_COST = 1000


def operation_of(document, operation_name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        return next((op for op in operations if op.name and op.name.value == operation_name), None)
    return operations[0] if len(operations) == 1 else None


def query_cost(schema, document, operation, variables: dict | None, data: dict | None = None) -> int:
    """Requested cost (``data`` None) or actual cost (``data`` = the executed result)."""
    if operation.operation == OperationType.MUTATION:
        return MUTATION_COST * sum(1 for s in operation.selection_set.selections if isinstance(s, FieldNode))
    fragments = {d.name.value: d for d in document.definitions if getattr(d, "kind", "") == "fragment_definition"}
    walker = _Walker(schema, fragments, variables or {}, actual=data is not None)
    return walker.selection_set(operation.selection_set, schema.query_type, data)


class _Walker:
    def __init__(self, schema, fragments, variables, actual):
        self.schema, self.fragments, self.variables, self.actual = schema, fragments, variables, actual

    def selection_set(self, selection_set, parent_type, data) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent_type, data)
            elif isinstance(selection, InlineFragmentNode):
                narrowed = (self.schema.get_type(selection.type_condition.name.value)
                            if selection.type_condition else parent_type)
                total += self.selection_set(selection.selection_set, narrowed, data)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment:
                    narrowed = self.schema.get_type(fragment.type_condition.name.value)
                    total += self.selection_set(fragment.selection_set, narrowed, data)
        return total

    def field(self, node, parent_type, data) -> int:
        name = node.name.value
        fields = getattr(parent_type, "fields", None)
        if name.startswith("__") or not fields or name not in fields:
            return 0
        definition = fields[name]
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        key = node.alias.value if node.alias else name
        value = data.get(key) if isinstance(data, dict) else None
        size = self.page_size(node)
        if named.name.endswith("Connection"):
            return 2 + self.connection(node, named, value, size)
        if _is_list(definition.type):
            if self.actual:
                return sum(1 + self.selection_set(node.selection_set, named, item) for item in value or [])
            return max(size or 1, 1) * (1 + self.selection_set(node.selection_set, named, None))
        if self.actual and value is None:
            return 0
        return 1 + self.selection_set(node.selection_set, named, value)

    def connection(self, node, connection_type, value, size) -> int:
        """Cost of the items of a connection: per node 1 + its selections."""
        node_type = get_named_type(connection_type.fields["nodes"].type)
        total = 0
        for part in node.selection_set.selections:
            if not isinstance(part, FieldNode) or part.name.value not in ("nodes", "edges"):
                continue
            inner, node_key = part, None
            if part.name.value == "edges":
                inner = next((f for f in part.selection_set.selections
                              if isinstance(f, FieldNode) and f.name.value == "node"), None)
                if inner is None:
                    continue
                node_key = inner.alias.value if inner.alias else "node"
            if not self.actual:  # every node costs the same when nothing came back yet
                total += (size or 0) * (1 + self.selection_set(inner.selection_set, node_type, None))
                continue
            for item in (value or {}).get(part.alias.value if part.alias else part.name.value) or []:
                item_data = item.get(node_key) if node_key and item else item
                total += 1 + self.selection_set(inner.selection_set, node_type, item_data)
        return total

    def page_size(self, node) -> int:
        for argument in node.arguments:
            if argument.name.value in ("first", "last"):
                value = value_from_ast_untyped(argument.value, self.variables)
                return int(value) if isinstance(value, int) else 0
        return 0


def _is_list(type_) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)
