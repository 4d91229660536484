extension DashboardTemplates {
    /// One task: where it stands, its parent and group, its chain's steps, its attempts with their errors,
    /// its result, the actions its state allows (refreshed by the script), and its payload.
    static let task = """
        <h1>Task <span class="id">{{id}}</span></h1>
        <p class="note"><span id="live-status" class="live-status"></span></p>
        <div id="task-live" data-live>
        <div class="card"><dl class="fields">
        <dt>State</dt><dd><span id="task-state" class="state state-{{state}}">{{state}}</span>{{#reason}} {{.}}{{/reason}}</dd>
        <dt>Queue</dt><dd><a href="{{queueHref}}">{{queue}}</a></dd>
        {{#fields}}<dt>{{label}}</dt><dd>{{value}}</dd>
        {{/fields}}
        {{#parentID}}<dt>Parent</dt><dd><a class="id" href="/dashboard/tasks/{{.}}">{{.}}</a></dd>{{/parentID}}
        {{#groupID}}<dt>Workflow</dt><dd><a href="/dashboard/groups/{{.}}">group {{.}}</a></dd>{{/groupID}}
        </dl></div>
        {{#chain}}<h2>Chain</h2>
        <div class="table-wrap"><table class="stack">
        <thead><tr><th class="number">Step</th><th>Task</th><th>State</th></tr></thead>
        <tbody>
        {{#steps}}<tr><td data-label="step">{{number}}</td><td>{{#current}}<span class="id">{{id}}</span> (this task){{/current}}{{^current}}<a class="id" href="/dashboard/tasks/{{id}}">{{id}}</a>{{/current}}</td><td>{{#isEnqueued}}<span class="state state-{{stepState}}">{{stepState}}</span>{{/isEnqueued}}{{^isEnqueued}}<span class="muted">not enqueued yet</span>{{/isEnqueued}}</td></tr>
        {{/steps}}
        </tbody>
        </table></div>
        {{#moreSteps}}<p class="note">{{.}}; spoolctl chain show lists them all.</p>{{/moreSteps}}
        {{/chain}}
        <h2>Actions</h2>
        <div class="actions card">
        {{#canRetry}}<form method="post" action="/dashboard/tasks/{{id}}/retry"><input type="hidden" name="csrf" value="{{csrf}}">
        <button type="submit">Retry now</button></form>{{/canRetry}}
        {{#canCancel}}<form method="post" action="/dashboard/tasks/{{id}}/cancel"><input type="hidden" name="csrf" value="{{csrf}}">
        <button class="danger" type="submit">Cancel</button></form>{{/canCancel}}
        {{#canReschedule}}<form method="post" action="/dashboard/tasks/{{id}}/reschedule"><input type="hidden" name="csrf" value="{{csrf}}">
        <label>Run at <input name="when" required placeholder="+30m or 2026-12-05T10:00:00Z"></label>
        <button type="submit">Reschedule</button></form>{{/canReschedule}}
        {{^hasActions}}<p class="muted">Nothing to do with a task that is {{state}}.</p>{{/hasActions}}
        </div>
        <h2>Attempts</h2>
        {{#hasAttempts}}
        <div class="table-wrap"><table class="stack">
        <thead><tr><th class="number">#</th><th>Finished (UTC)</th><th class="hide-narrow">Worker</th><th>Error</th></tr></thead>
        <tbody>
        {{#attempts}}<tr><td data-label="attempt">{{number}}</td><td class="time" data-label="finished">{{finished}}</td>
        <td class="hide-narrow">{{worker}}</td>
        <td class="error"><pre>{{error}}</pre></td></tr>
        {{/attempts}}
        </tbody>
        </table></div>
        {{/hasAttempts}}
        {{^hasAttempts}}<p class="muted">No attempt failed.</p>{{/hasAttempts}}
        {{#result}}<h2>Result</h2><pre>{{.}}</pre>{{/result}}
        </div>
        <h2>Payload</h2>
        <pre>{{payload}}</pre>

        """
}
