import { mount } from 'svelte';
import App from './ui/App.svelte';
import { pwa } from './app/pwa.svelte';
import { tabServer } from './app/serving.svelte';
import { db } from './store/db';
import { sweepInterrupted } from './store/sweep';
import './ui/theme.css';
import { startTheme } from './app/theme.svelte';

// Repair what a closed tab or crash left behind before anything lists versions or jobs.
void sweepInterrupted(db()).catch((e) => console.error('sweep failed', e));

// before the first paint, so a dark page does not flash light
startTheme();
mount(App, { target: document.getElementById('app')! });
pwa.start();
// answer the tab's TF Serving routes the service worker passes on (issue 15)
tabServer.start();
