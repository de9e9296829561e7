// Renderer entry: Vue app + Pinia.
import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import './styles.css';

// A file or link dropped where no drop zone takes it must not navigate the window (a drop zone
// that handles it calls preventDefault itself first).
for (const type of ['dragover', 'drop'] as const) {
  document.addEventListener(type, (e) => {
    if (e.defaultPrevented) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'none';
  });
}

createApp(App).use(createPinia()).mount('#app');
