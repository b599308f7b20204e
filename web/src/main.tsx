import { render } from 'preact';
import { App } from './components/App.js';
import { restore } from './state/session.js';
import './state/address.js';
import './state/title.js';
import './emoji.css';
import './styles.css';

void restore();
render(<App />, document.getElementById('app')!);
