"""One module per API area; ``service.Runtime`` composes them and ``api_errors.OPERATIONS`` routes to them.

- ``state_machines``: Create/Describe/Update/Delete/List/ValidateStateMachineDefinition
- ``executions``: Start/StartSync/Describe/List/Stop, GetExecutionHistory, DescribeStateMachineForExecution
- ``callbacks``: SendTaskSuccess/Failure/Heartbeat (callback and activity tasks)
- ``tags``: Tag/Untag/ListTagsForResource (state machines and activities)
- ``activities``: Create/Describe/List/DeleteActivity, GetActivityTask
- ``versions_aliases``: Publish/List/DeleteStateMachineVersion, Create/Describe/List/Update/DeleteStateMachineAlias
- homes for the areas still to come: ``map_runs``, ``test_state``
"""
