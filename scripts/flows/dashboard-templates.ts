/**
 * node-red-dashboard (1.x) ui_template bodies for the reference flow: asset tiles, a
 * spectrum with bearing defect lines, the alarm list with acknowledge, and the Gantt
 * chart of the maintenance schedule. Plain SVG and HTML driven by Angular, so they need
 * nothing beyond the dashboard itself and stay light with hours of data.
 */

/** Asset tiles: msg.payload = [{ asset, name, state: "ok"|"warning"|"alarm"|"learning", lines: [string] }]. */
export const assetTiles = `
<style>
  .pdm-tiles { display: flex; flex-wrap: wrap; gap: 12px; padding: 6px; }
  .pdm-tile { flex: 1 1 260px; border-radius: 6px; padding: 12px 16px; color: #fff; min-height: 120px; }
  .pdm-tile h3 { margin: 0 0 6px 0; font-size: 1.15em; background: transparent; color: inherit; }
  .pdm-tile .state { font-weight: bold; text-transform: uppercase; letter-spacing: 0.05em; }
  .pdm-tile div.line { font-size: 0.95em; line-height: 1.5em; }
  .pdm-ok { background: #2e7d32; } .pdm-warning { background: #f9a825; color: #222; }
  .pdm-alarm { background: #c62828; } .pdm-learning { background: #1565c0; }
</style>
<div class="pdm-tiles">
  <div ng-repeat="tile in msg.payload track by tile.asset" class="pdm-tile pdm-{{tile.state}}" id="tile-{{tile.asset}}">
    <h3>{{tile.name}}</h3>
    <div class="state">{{tile.state}}</div>
    <div class="line" ng-repeat="line in tile.lines track by $index">{{line}}</div>
  </div>
  <div ng-if="!msg.payload.length">waiting for the first windows…</div>
</div>`;

/**
 * A spectrum as an SVG polyline with vertical marker lines:
 * msg.payload = { title, unit, frequencies, amplitudes, markers: [{ label, hz }] }.
 */
export const spectrumChart = `
<div ng-init="w=560; h=220; pad=36">
  <div style="font-weight:bold; margin-bottom:4px">{{msg.payload.title || 'waiting for a spectrum…'}}</div>
  <svg ng-if="msg.payload.frequencies.length" ng-attr-width="{{w}}" ng-attr-height="{{h}}" class="pdm-spectrum">
    <g>
      <line ng-attr-x1="{{pad}}" ng-attr-y1="{{h - pad}}" ng-attr-x2="{{w - 8}}" ng-attr-y2="{{h - pad}}" stroke="#888"/>
      <line ng-attr-x1="{{pad}}" y1="8" ng-attr-x2="{{pad}}" ng-attr-y2="{{h - pad}}" stroke="#888"/>
      <line ng-repeat="m in msg.payload.markers" ng-attr-x1="{{pad + (w - pad - 8) * m.hz / msg.payload.fmax}}" y1="8"
            ng-attr-x2="{{pad + (w - pad - 8) * m.hz / msg.payload.fmax}}" ng-attr-y2="{{h - pad}}" stroke="#c62828" stroke-dasharray="4 3"/>
      <text ng-repeat="m in msg.payload.markers" ng-attr-x="{{pad + 3 + (w - pad - 8) * m.hz / msg.payload.fmax}}" ng-attr-y="{{18 + 12 * $index}}"
            fill="#c62828" font-size="11">{{m.label}}</text>
      <polyline fill="none" stroke="#1565c0" stroke-width="1.3" ng-attr-points="{{msg.payload.points}}"/>
      <text ng-attr-x="{{w - 8}}" ng-attr-y="{{h - pad + 16}}" text-anchor="end" font-size="11">{{msg.payload.fmax | number:0}} Hz</text>
      <text ng-attr-x="{{pad}}" ng-attr-y="{{h - pad + 16}}" font-size="11">0</text>
      <text x="2" y="14" font-size="11">{{msg.payload.amax | number:3}} {{msg.payload.unit}}</text>
    </g>
  </svg>
</div>`;

/**
 * Alarm list with an acknowledge button per open alarm:
 * msg.payload = [{ id, asset, raisedAt, severity, reason, acknowledged }].
 * A click sends { payload: { action: "acknowledge", id } }.
 */
export const alarmList = `
<style>
  table.pdm-alarms { width: 100%; border-collapse: collapse; font-size: 0.95em; }
  table.pdm-alarms td, table.pdm-alarms th { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; }
  .pdm-sev-high, .pdm-sev-critical { color: #c62828; font-weight: bold; }
  .pdm-sev-medium { color: #ef6c00; font-weight: bold; }
</style>
<table class="pdm-alarms">
  <tr><th>raised</th><th>asset</th><th>severity</th><th>why</th><th></th></tr>
  <tr ng-repeat="a in msg.payload track by a.id">
    <td>{{a.raisedAt | date:'dd MMM HH:mm:ss'}}</td><td>{{a.asset}}</td>
    <td class="pdm-sev-{{a.severity}}">{{a.severity}}</td><td>{{a.reason}}</td>
    <td><md-button class="md-raised pdm-ack" ng-if="!a.acknowledged" ng-click="send({payload: {action: 'acknowledge', id: a.id}})">Acknowledge</md-button>
        <span ng-if="a.acknowledged">acknowledged</span></td>
  </tr>
  <tr ng-if="!msg.payload.length"><td colspan="5">no alarms</td></tr>
</table>`;

/**
 * The schedule as a Gantt chart, one row per technician:
 * msg.payload = { from, to, rows: [{ technician, bars: [{ label, start, end, priority }] }] }.
 */
export const ganttChart = `
<div ng-init="w=1000; rowH=30; left=110">
  <div ng-if="!msg.payload.rows.length">no work orders planned yet</div>
  <svg ng-if="msg.payload.rows.length" ng-attr-width="{{w}}" ng-attr-height="{{rowH * msg.payload.rows.length + 24}}">
    <g ng-repeat="row in msg.payload.rows" ng-attr-transform="translate(0,{{rowH * $index}})">
      <text x="4" y="19" font-size="12">{{row.technician}}</text>
      <line ng-attr-x1="{{left}}" y1="28" ng-attr-x2="{{w}}" y2="28" stroke="#eee"/>
      <g ng-repeat="bar in row.bars">
        <rect ng-attr-x="{{left + (w - left) * (bar.start - msg.payload.from) / (msg.payload.to - msg.payload.from)}}" y="4"
              ng-attr-width="{{(w - left) * (bar.end - bar.start) / (msg.payload.to - msg.payload.from)}}" height="20" rx="3"
              ng-attr-fill="{{bar.priority === 'urgent' || bar.priority === 'high' ? '#c62828' : '#1565c0'}}"><title>{{bar.label}}</title></rect>
        <text ng-attr-x="{{left + 3 + (w - left) * (bar.start - msg.payload.from) / (msg.payload.to - msg.payload.from)}}" y="18"
              font-size="11" fill="#fff">{{bar.label}}</text>
      </g>
    </g>
    <text ng-attr-x="{{left}}" ng-attr-y="{{rowH * msg.payload.rows.length + 18}}" font-size="11">{{msg.payload.from | date:'dd MMM HH:mm'}}</text>
    <text ng-attr-x="{{w - 4}}" ng-attr-y="{{rowH * msg.payload.rows.length + 18}}" text-anchor="end" font-size="11">{{msg.payload.to | date:'dd MMM HH:mm'}}</text>
  </svg>
</div>`;
