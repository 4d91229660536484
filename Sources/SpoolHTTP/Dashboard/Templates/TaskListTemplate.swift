extension DashboardTemplates {
    /// A listing of tasks: the filters of `spoolctl list` as a form, one row per task, and the pages.
    static let taskList = """
        <h1>{{heading}}</h1>
        <form class="filters card" method="get" action="/dashboard/tasks">
        <div class="filter-grid">
        <label>State <select name="state">{{#states}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/states}}</select></label>
        <label>Queue <input name="queue" value="{{filters.queue}}" autocapitalize="off"></label>
        <label>Type <input name="type" value="{{filters.type}}" autocapitalize="off"></label>
        <label>Key <input name="key" value="{{filters.key}}" autocapitalize="off"></label>
        <label>Error text <input name="error" type="search" value="{{filters.error}}"></label>
        <label>Order <select name="order">{{#orders}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/orders}}</select></label>
        </div>
        <details{{#moreFilters}} open{{/moreFilters}}><summary>Times</summary>
        <p class="note">RFC 3339, Unix seconds, 2h for two hours ago, +30m for thirty minutes ahead.</p>
        <div class="filter-grid">
        <label>Created after <input name="created_after" value="{{filters.createdAfter}}" placeholder="2h"></label>
        <label>Created before <input name="created_before" value="{{filters.createdBefore}}"></label>
        <label>Due after <input name="due_after" value="{{filters.dueAfter}}" placeholder="+30m"></label>
        <label>Due before <input name="due_before" value="{{filters.dueBefore}}"></label>
        <label>Finished after <input name="finished_after" value="{{filters.finishedAfter}}" placeholder="1h"></label>
        <label>Finished before <input name="finished_before" value="{{filters.finishedBefore}}"></label>
        </div>
        </details>
        <div class="actions"><button type="submit">Search</button><a href="/dashboard/tasks">Clear</a></div>
        </form>
        {{#problem}}<p class="problem" role="alert">{{.}}</p>{{/problem}}
        {{#hasRows}}
        <div class="table-wrap"><table class="stack">
        <thead><tr><th>Task</th><th>State</th><th>Queue</th><th>Type</th><th class="number">Attempts</th><th>Last error</th>
        <th class="hide-narrow">Due or finished (UTC)</th></tr></thead>
        <tbody>
        {{#rows}}<tr><td><a class="id" href="{{href}}">{{id}}</a></td><td><span class="state state-{{state}}">{{state}}</span></td>
        <td data-label="queue">{{queue}}</td><td data-label="type">{{type}}</td>
        <td class="number" data-label="attempts">{{attempts}}</td><td class="error">{{lastError}}</td>
        <td class="time hide-narrow">{{when}}</td></tr>
        {{/rows}}
        </tbody>
        </table></div>
        {{/hasRows}}
        {{^hasRows}}{{^problem}}<p class="card">No task matches.</p>{{/problem}}{{/hasRows}}
        <nav class="pages" aria-label="Pages">{{#firstHref}}<a href="{{firstHref}}">First page</a>{{/firstHref}}
        {{#nextHref}}<a href="{{nextHref}}" rel="next">Next page</a>{{/nextHref}}</nav>

        """
}
