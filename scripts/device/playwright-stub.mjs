// bench:learn bundled for a machine without Chromium (scripts/device/prepare-learn.sh): the figure is written here with --from.
export const chromium = { launch() { throw new Error('no Chromium in this bundle: write the figure with --from'); } };
