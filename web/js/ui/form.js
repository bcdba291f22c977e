// Form submission as every form of the console does it: no page load, the previous errors
// cleared, the action's error shown next to the field the API names (or at the top).

import { clearErrors, showError } from '../dom.js';

/**
 * Runs `action(event)` on submit. Errors it throws are shown in `errorRoot` (the form by
 * default; a table row for the keys' edit in place).
 */
export function onSubmit(form, action, { errorRoot = form } = {}) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(errorRoot);
    try {
      await action(ev);
    } catch (err) {
      showError(errorRoot, err);
    }
  });
}
