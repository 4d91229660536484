extension DashboardTemplates {
    /// The drops kept in `rejected/`, newest first, each with its reason and a button to submit it again.
    static let rejected = """
        <h1>Rejected drops</h1>
        <p class="note">Files dropped in incoming/ that are not valid tasks, kept byte for byte with the reason.
        Fix one in place, then submit it again.</p>
        {{#hasFiles}}
        <div class="table-wrap"><table class="stack">
        <thead><tr><th>File</th><th>Reason</th><th class="number hide-narrow">Bytes</th><th class="hide-narrow">Rejected (UTC)</th><th></th></tr></thead>
        <tbody>
        {{#files}}<tr><td class="id">{{name}}</td><td class="error">{{reason}}</td><td class="number hide-narrow">{{size}}</td>
        <td class="time hide-narrow">{{rejectedAt}}</td>
        <td><form class="inline" method="post" action="/dashboard/rejected/resubmit">
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="name" value="{{name}}"><button class="quiet" type="submit">Submit again</button></form></td></tr>
        {{/files}}
        </tbody>
        </table></div>
        {{#more}}<p class="note">Only the newest {{shown}} are shown; spoolctl rejected lists them all.</p>{{/more}}
        {{/hasFiles}}
        {{^hasFiles}}<p class="card">No rejected drop.</p>{{/hasFiles}}

        """
}
