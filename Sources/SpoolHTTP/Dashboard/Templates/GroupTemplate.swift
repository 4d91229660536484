extension DashboardTemplates {
    /// One group: its callback, its counts, the cancel button while something is left to cancel, and its
    /// members with their states and results or errors.
    static let group = """
        <h1>Group <span class="id">{{id}}</span></h1>
        <div class="card"><dl class="fields">
        <dt>Callback</dt><dd>{{#callbackID}}<a class="id" href="/dashboard/tasks/{{.}}">{{.}}</a> {{/callbackID}}<span class="state state-{{callbackState}}">{{callbackState}}</span></dd>
        <dt>Runs when</dt><dd>{{runCallback}}</dd>
        <dt>Created (UTC)</dt><dd>{{created}}</dd>
        <dt>Members</dt><dd>{{size}}: {{succeeded}} succeeded, {{failed}} failed, {{pending}} pending</dd>
        </dl></div>
        <h2>Actions</h2>
        <div class="actions card">
        {{#canCancel}}<form method="post" action="/dashboard/groups/{{id}}/cancel"><input type="hidden" name="csrf" value="{{csrf}}">
        <button class="danger" type="submit">Cancel group</button></form>{{/canCancel}}
        {{^canCancel}}<p class="muted">Nothing left to cancel: the callback is {{callbackState}}.</p>{{/canCancel}}
        </div>
        <h2>Members</h2>
        <div class="table-wrap"><table class="stack">
        <thead><tr><th class="number">#</th><th>Task</th><th>State</th><th>Result or error</th></tr></thead>
        <tbody>
        {{#members}}<tr><td data-label="member">{{index}}</td><td><a class="id" href="/dashboard/tasks/{{id}}">{{id}}</a></td>
        <td><span class="state state-{{state}}">{{state}}</span></td>
        <td{{#failed}} class="error"{{/failed}}><pre>{{outcome}}</pre></td></tr>
        {{/members}}
        </tbody>
        </table></div>
        {{#more}}<p class="note">Only the first {{shown}} members are shown; spoolctl group show lists them all.</p>{{/more}}

        """
}
