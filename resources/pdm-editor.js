/**
 * What the edit dialogs of node-red-contrib-pdm share, written once: field validators, the
 * look of the suite's nodes, and the rows a dialog shows or hides with a setting.
 *
 * Node-RED serves a module's resources/ folder to the editor at resources/<module>/, and
 * every node's .html loads this file first with
 *   <script src="resources/node-red-contrib-pdm/pdm-editor.js"></script>
 * (the editor runs a module's relative scripts before its node definitions).
 *
 * The validators return true or false, never a message, so that the editor lists a bad
 * field by its name in node.validationErrors and marks its input red. Their bounds mean what
 * the runtime's finiteNumber bounds mean (nodes/shared/validate.ts), so the dialog refuses
 * what the node would refuse at deploy.
 */
(function () {
  "use strict";

  /** An empty field, or one a flow saved before the field existed does not have. */
  function blank(v) {
    return v === undefined || v === null || String(v).trim() === "";
  }

  window.PdmEditor = {
    /** category and colour of every pdm node in the palette (spread into registerType). */
    paletteNode: { category: "predictive maintenance", color: "#9fc5a8" },

    /**
     * A number field. bounds: min / max (inclusive), above / below (exclusive), integer,
     * and optional (empty means the node's default). NaN and ±Infinity never pass.
     */
    number: function (bounds) {
      const b = bounds || {};
      return function (v) {
        if (blank(v)) return b.optional === true;
        const x = Number(v);
        return (
          Number.isFinite(x) &&
          (!b.integer || Number.isInteger(x)) &&
          (b.min === undefined || x >= b.min) &&
          (b.above === undefined || x > b.above) &&
          (b.max === undefined || x <= b.max) &&
          (b.below === undefined || x < b.below)
        );
      };
    },

    /**
     * The value of another field of the node being validated (`node` is the validator's
     * this): the dialog's while it is open (the editor validates a field as it is typed,
     * before the node is updated), else the node's.
     */
    fieldValue: function (node, name) {
      const input = $("#node-input-" + name + ", #node-config-input-" + name);
      return input.length ? input.val() : node[name];
    },

    /**
     * A number field that matters only while the select `field` is one of `values` (a filter
     * cut-off, the bearing geometry): then it must be within `bounds`, as for number().
     */
    numberWhen: function (field, values, bounds) {
      const check = window.PdmEditor.number(bounds);
      return function (v) {
        return !values.includes(window.PdmEditor.fieldValue(this, field)) || check(v);
      };
    },

    /** A text field matching `regex` (RED.validators.regex returns a message, not false). */
    pattern: function (regex) {
      return function (v) {
        return typeof v === "string" && regex.test(v);
      };
    },

    /** One of a select's values. */
    oneOf: function (values) {
      return function (v) {
        return values.includes(v);
      };
    },

    /** A JSON text field, empty allowed; `check`, if given, must accept the parsed value. */
    json: function (check) {
      return function (v) {
        if (blank(v)) return true;
        try {
          const value = JSON.parse(v);
          return check ? check(value) : true;
        } catch (e) {
          return false;
        }
      };
    },

    /**
     * Show or hide rows of a dialog with its settings: `visibility()` maps row selectors to
     * whether they show; it runs now and whenever one of the `watched` inputs changes.
     */
    toggleRows: function (watched, visibility) {
      const update = function () {
        const rows = visibility();
        Object.keys(rows).forEach(function (selector) {
          $(selector).toggle(rows[selector]);
        });
      };
      $(watched).on("change", update);
      update();
    },
  };
})();
