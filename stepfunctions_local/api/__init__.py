"""One module per API area; ``service.Runtime`` composes them and ``api_errors.OPERATIONS`` routes to them.

- ``state_machines``: Create/Describe/Update/Delete/List/ValidateStateMachineDefinition
- ``executions``: Start/StartSync/Describe/List/Stop, GetExecutionHistory, DescribeStateMachineForExecution
- ``callbacks``: SendTaskSuccess/Failure/Heartbeat
- ``tags``: Tag/Untag/ListTagsForResource
- homes for the areas still to come: ``activities``, ``versions_aliases``, ``map_runs``, ``test_state``
"""
